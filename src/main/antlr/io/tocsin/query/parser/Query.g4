/*
 * The Tocsin query language: Uptrace-style metric queries.
 *
 * A monitor lists metric declarations ("redis.keyspace.hits as $hits") and query items; each
 * item holds one or more parts joined by '|': "group by a, b", "where <filter>", or
 * "<expr> [as name] [group by ...]". AstBuilder turns parse trees into io.tocsin.query.ast.
 */
grammar Query;

metricDeclaration
    : metricName AS ALIAS EOF
    ;

metricName
    : identifier (DOT identifier)*
    ;

queryItem
    : part (PIPE part)* EOF
    ;

part
    : GROUP BY attributeList                          # groupByPart
    | WHERE filter                                    # wherePart
    | expr (AS identifier)? (GROUP BY attributeList)? # exprPart
    ;

attributeList
    : attribute (COMMA attribute)*
    ;

// A metric alias here parses too, so that AstBuilder can say why it is not allowed.
attribute
    : (ALIAS | identifier) (DOT identifier)*
    ;

filter
    : filter AND filter                               # andFilter
    | filter OR filter                                # orFilter
    | LPAREN filter RPAREN                            # parenFilter
    | predicate                                       # predicateFilter
    ;

predicate
    : attribute op=(EQ | NE | MATCH | NOT_MATCH | LT | LE | GT | GE) literal  # comparePredicate
    | attribute NOT? IN LPAREN literal (COMMA literal)* RPAREN                # inPredicate
    | attribute NOT? LIKE STRING                                               # likePredicate
    | attribute NOT? EXISTS                                                    # existsPredicate
    ;

literal
    : STRING
    | MINUS? number
    | identifier
    ;

number
    : NUMBER
    | DURATION
    | BYTES
    ;

expr
    : MINUS expr                                                  # negate
    | expr op=(STAR | SLASH | PERCENT) expr                       # multiplicative
    | expr op=(PLUS | MINUS) expr                                 # additive
    | expr op=(EQEQ | NE | LT | LE | GT | GE) expr                 # comparison
    | LPAREN expr RPAREN                                          # parens
    | identifier LPAREN (expr (COMMA expr)*)? RPAREN by?          # call
    | selector                                                    # selectorExpr
    | number                                                      # numberExpr
    | identifier (DOT identifier)*                                # columnRef
    ;

selector
    : ALIAS (LBRACE (predicate (COMMA predicate)*)? RBRACE)? range? (OFFSET DURATION)? by?
    ;

range
    : LBRACKET DURATION RBRACKET
    ;

by
    : BY LPAREN attributeList RPAREN
    ;

// Keywords are case-insensitive and may also name attributes and columns.
identifier
    : IDENTIFIER
    | AS | BY | GROUP | WHERE | AND | OR | NOT | IN | LIKE | EXISTS | OFFSET
    ;

AS        : [aA] [sS] ;
BY        : [bB] [yY] ;
GROUP     : [gG] [rR] [oO] [uU] [pP] ;
WHERE     : [wW] [hH] [eE] [rR] [eE] ;
AND       : [aA] [nN] [dD] ;
OR        : [oO] [rR] ;
NOT       : [nN] [oO] [tT] ;
IN        : [iI] [nN] ;
LIKE      : [lL] [iI] [kK] [eE] ;
EXISTS    : [eE] [xX] [iI] [sS] [tT] [sS] ;
OFFSET    : [oO] [fF] [fF] [sS] [eE] [tT] ;

DURATION  : DIGITS ('ms' | 's' | 'm' | 'h' | 'd' | 'w') (DIGITS ('ms' | 's' | 'm' | 'h' | 'd' | 'w'))* ;
BYTES     : DIGITS ('.' DIGITS)? ([kKmMgGtT] [iI]? [bB] | [bB]) ;
NUMBER    : DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)? | '.' DIGITS ;
fragment DIGITS : [0-9]+ ;

ALIAS      : '$' [a-zA-Z_] [a-zA-Z0-9_]* ;
IDENTIFIER : [a-zA-Z_] [a-zA-Z0-9_]* ;
STRING     : '"' ('\\' . | ~["\\])* '"' | '\'' ('\\' . | ~['\\])* '\'' ;

PIPE      : '|' ;
COMMA     : ',' ;
DOT       : '.' ;
LPAREN    : '(' ;
RPAREN    : ')' ;
LBRACE    : '{' ;
RBRACE    : '}' ;
LBRACKET  : '[' ;
RBRACKET  : ']' ;
PLUS      : '+' ;
MINUS     : '-' ;
STAR      : '*' ;
SLASH     : '/' ;
PERCENT   : '%' ;
EQEQ      : '==' ;
EQ        : '=' ;
NE        : '!=' ;
NOT_MATCH : '!~' ;
MATCH     : '~' ;
LE        : '<=' ;
GE        : '>=' ;
LT        : '<' ;
GT        : '>' ;

COMMENT   : '#' ~[\r\n]* -> skip ;
WS        : [ \t\r\n]+ -> skip ;
ERROR_CHAR : . ;
