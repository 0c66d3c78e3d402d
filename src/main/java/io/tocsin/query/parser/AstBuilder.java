package io.tocsin.query.parser;

import io.tocsin.query.QueryException;
import io.tocsin.query.ast.Expr;
import io.tocsin.query.ast.Filter;
import io.tocsin.query.ast.MetricDeclaration;
import io.tocsin.query.ast.Part;
import io.tocsin.query.ast.Position;
import io.tocsin.util.Durations;
import io.tocsin.util.Names;
import io.tocsin.util.UserRegex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/** Turns ANTLR parse trees into the immutable AST; nothing outside this package sees ANTLR types. */
final class AstBuilder {
  private AstBuilder() {}

  static MetricDeclaration metric(QueryParser.MetricDeclarationContext ctx) {
    String name = Names.normalize(ctx.metricName().getText());
    return new MetricDeclaration(name, ctx.ALIAS().getText(), position(ctx.start));
  }

  static List<Part> parts(QueryParser.QueryItemContext ctx) {
    List<Part> parts = new ArrayList<>();
    for (QueryParser.PartContext part : ctx.part()) {
      parts.add(part(part));
    }
    return parts;
  }

  private static Part part(QueryParser.PartContext ctx) {
    if (ctx instanceof QueryParser.GroupByPartContext g) {
      return new Part.GroupBy(attributes(g.attributeList()), position(ctx.start));
    }
    if (ctx instanceof QueryParser.WherePartContext w) {
      return new Part.Where(filter(w.filter()), position(ctx.start));
    }
    QueryParser.ExprPartContext e = (QueryParser.ExprPartContext) ctx;
    String alias = e.identifier() == null ? null : e.identifier().getText();
    List<String> groupBy = e.attributeList() == null ? List.of() : attributes(e.attributeList());
    return new Part.Column(expr(e.expr()), alias, groupBy, position(ctx.start));
  }

  private static List<String> attributes(QueryParser.AttributeListContext ctx) {
    List<String> attributes = new ArrayList<>();
    for (QueryParser.AttributeContext a : ctx.attribute()) {
      attributes.add(attribute(a));
    }
    return attributes;
  }

  /** A dotted or underscored attribute name, normalised like stored label keys. */
  private static String attribute(QueryParser.AttributeContext ctx) {
    if (ctx.ALIAS() != null) {
      throw new QueryException(position(ctx.start), "'" + ctx.getText() + "' is a metric; "
          + "where and group by take attribute names such as host_name");
    }
    String name = Names.normalize(ctx.getText());
    if (name.isEmpty()) {
      throw new QueryException(position(ctx.start), "'" + ctx.getText() + "' is not an attribute name");
    }
    return name;
  }

  // --- filters -------------------------------------------------------------------------------

  private static Filter filter(QueryParser.FilterContext ctx) {
    Position at = position(ctx.start);
    if (ctx instanceof QueryParser.AndFilterContext and) {
      return new Filter.And(filter(and.filter(0)), filter(and.filter(1)), at);
    }
    if (ctx instanceof QueryParser.OrFilterContext or) {
      return new Filter.Or(filter(or.filter(0)), filter(or.filter(1)), at);
    }
    if (ctx instanceof QueryParser.ParenFilterContext paren) {
      return filter(paren.filter());
    }
    return predicate(((QueryParser.PredicateFilterContext) ctx).predicate());
  }

  private static Filter predicate(QueryParser.PredicateContext ctx) {
    Position at = position(ctx.start);
    if (ctx instanceof QueryParser.ComparePredicateContext c) {
      Filter.CompareOp op = compareOp(c.op);
      Filter.Literal value = literal(c.literal());
      if (op == Filter.CompareOp.MATCH || op == Filter.CompareOp.NOT_MATCH) {
        checkRegex(c.literal().start, value.value());
      }
      return new Filter.Compare(attribute(c.attribute()), op, value, at);
    }
    if (ctx instanceof QueryParser.InPredicateContext in) {
      List<Filter.Literal> values = new ArrayList<>();
      for (QueryParser.LiteralContext l : in.literal()) {
        values.add(literal(l));
      }
      return new Filter.In(attribute(in.attribute()), values, in.NOT() != null, at);
    }
    if (ctx instanceof QueryParser.LikePredicateContext like) {
      return new Filter.Like(attribute(like.attribute()), unquote(like.STRING().getSymbol()), like.NOT() != null, at);
    }
    QueryParser.ExistsPredicateContext exists = (QueryParser.ExistsPredicateContext) ctx;
    return new Filter.Exists(attribute(exists.attribute()), exists.NOT() != null, at);
  }

  private static Filter.CompareOp compareOp(Token op) {
    return switch (op.getType()) {
      case QueryLexer.EQ -> Filter.CompareOp.EQ;
      case QueryLexer.NE -> Filter.CompareOp.NE;
      case QueryLexer.MATCH -> Filter.CompareOp.MATCH;
      case QueryLexer.NOT_MATCH -> Filter.CompareOp.NOT_MATCH;
      case QueryLexer.LT -> Filter.CompareOp.LT;
      case QueryLexer.LE -> Filter.CompareOp.LE;
      case QueryLexer.GT -> Filter.CompareOp.GT;
      default -> Filter.CompareOp.GE;
    };
  }

  private static Filter.Literal literal(QueryParser.LiteralContext ctx) {
    if (ctx.STRING() != null) {
      return new Filter.Literal(unquote(ctx.STRING().getSymbol()), true);
    }
    if (ctx.number() != null) {
      String text = (ctx.MINUS() != null ? "-" : "") + ctx.number().getText();
      return new Filter.Literal(text, false);
    }
    return new Filter.Literal(ctx.identifier().getText(), false);
  }

  /** Refuses a regular expression RE2 does not take, at the character of the query it is about. */
  private static void checkRegex(Token literal, String regex) {
    try {
      UserRegex.compile(regex);
    } catch (UserRegex.InvalidRegexException e) {
      throw new QueryException(positionIn(literal, e.index()), "invalid regular expression \"" + regex + "\": "
          + e.problem());
    }
  }

  /** Where character {@code index} of a literal's value is in the query, counting escapes and quotes. */
  private static Position positionIn(Token literal, int index) {
    String raw = literal.getText();
    boolean quoted = literal.getType() == QueryLexer.STRING;
    int rawIndex = quoted ? 1 : 0;
    for (int valueIndex = 0; valueIndex < index && rawIndex < raw.length(); valueIndex++) {
      rawIndex += quoted && raw.charAt(rawIndex) == '\\' ? 2 : 1;
    }
    int line = literal.getLine();
    int column = literal.getCharPositionInLine() + 1;
    for (int i = 0; i < Math.min(rawIndex, raw.length()); i++) {
      if (raw.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new Position(line, column);
  }

  /** The content of a single- or double-quoted string; a backslash escapes the next character. */
  private static String unquote(Token token) {
    String text = token.getText();
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 1; i < text.length() - 1; i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length() - 1) {
        c = text.charAt(++i);
        switch (c) {
          case 'n' -> c = '\n';
          case 't' -> c = '\t';
          default -> { } // \" \' \\ and any other character stand for themselves
        }
      }
      sb.append(c);
    }
    return sb.toString();
  }

  // --- expressions ---------------------------------------------------------------------------

  private static Expr expr(QueryParser.ExprContext ctx) {
    Position at = position(ctx.start);
    if (ctx instanceof QueryParser.NegateContext n) {
      return new Expr.Negate(expr(n.expr()), at);
    }
    if (ctx instanceof QueryParser.MultiplicativeContext m) {
      return binary(m.op, m.expr(0), m.expr(1));
    }
    if (ctx instanceof QueryParser.AdditiveContext a) {
      return binary(a.op, a.expr(0), a.expr(1));
    }
    if (ctx instanceof QueryParser.ComparisonContext c) {
      return binary(c.op, c.expr(0), c.expr(1));
    }
    if (ctx instanceof QueryParser.ParensContext p) {
      return expr(p.expr());
    }
    if (ctx instanceof QueryParser.CallContext call) {
      List<Expr> args = new ArrayList<>();
      for (QueryParser.ExprContext arg : call.expr()) {
        args.add(expr(arg));
      }
      return new Expr.Call(call.identifier().getText().toLowerCase(Locale.ROOT), args, by(call.by()), at);
    }
    if (ctx instanceof QueryParser.SelectorExprContext s) {
      return selector(s.selector());
    }
    if (ctx instanceof QueryParser.NumberExprContext n) {
      return number(n.number(), false);
    }
    return new Expr.ColumnRef(ctx.getText(), at);
  }

  private static Expr binary(Token op, QueryParser.ExprContext left, QueryParser.ExprContext right) {
    Expr.BinaryOp binaryOp = switch (op.getType()) {
      case QueryLexer.STAR -> Expr.BinaryOp.MUL;
      case QueryLexer.SLASH -> Expr.BinaryOp.DIV;
      case QueryLexer.PERCENT -> Expr.BinaryOp.MOD;
      case QueryLexer.PLUS -> Expr.BinaryOp.ADD;
      case QueryLexer.MINUS -> Expr.BinaryOp.SUB;
      case QueryLexer.EQEQ -> Expr.BinaryOp.EQ;
      case QueryLexer.NE -> Expr.BinaryOp.NE;
      case QueryLexer.LT -> Expr.BinaryOp.LT;
      case QueryLexer.LE -> Expr.BinaryOp.LE;
      case QueryLexer.GT -> Expr.BinaryOp.GT;
      default -> Expr.BinaryOp.GE;
    };
    return new Expr.Binary(binaryOp, expr(left), expr(right), position(op));
  }

  private static Expr selector(QueryParser.SelectorContext ctx) {
    Filter filter = null;
    for (QueryParser.PredicateContext p : ctx.predicate()) {
      Filter next = predicate(p);
      filter = filter == null ? next : new Filter.And(filter, next, filter.position());
    }
    Duration range = ctx.range() == null ? null : duration(ctx.range().DURATION());
    Duration offset = ctx.OFFSET() == null ? null : duration(ctx.DURATION());
    return new Expr.Selector(ctx.ALIAS().getText(), filter, range, offset, by(ctx.by()), position(ctx.start));
  }

  private static Duration duration(TerminalNode node) {
    Duration d;
    try {
      d = Durations.parse(node.getText());
    } catch (IllegalArgumentException e) {
      throw new QueryException(position(node.getSymbol()), e.getMessage());
    }
    if (d.isZero()) {
      throw new QueryException(position(node.getSymbol()), "a window or offset must be longer than 0");
    }
    return d;
  }

  private static List<String> by(QueryParser.ByContext ctx) {
    return ctx == null ? List.of() : attributes(ctx.attributeList());
  }

  /**
   * A number: plain, a duration in seconds ({@code 5m} is 300), or a byte count ({@code 10kb}
   * is 10,000 and {@code 10kib} is 10,240).
   */
  static Expr.Number number(QueryParser.NumberContext ctx, boolean negative) {
    Token token = ctx.start;
    String text = token.getText();
    double value;
    if (ctx.DURATION() != null) {
      try {
        value = Durations.parse(text).toMillis() / 1000.0;
      } catch (IllegalArgumentException e) {
        throw new QueryException(position(token), e.getMessage());
      }
    } else if (ctx.BYTES() != null) {
      value = bytes(text);
    } else {
      value = Double.parseDouble(text);
    }
    return new Expr.Number(negative ? -value : value, text, position(token));
  }

  private static double bytes(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    int unitStart = 0;
    while (unitStart < lower.length() && (Character.isDigit(lower.charAt(unitStart)) || lower.charAt(unitStart) == '.')) {
      unitStart++;
    }
    double amount = Double.parseDouble(lower.substring(0, unitStart));
    String unit = lower.substring(unitStart);
    boolean binary = unit.length() == 3; // kib, mib, ...
    double base = binary ? 1024 : 1000;
    int power = switch (unit.charAt(0)) {
      case 'k' -> 1;
      case 'm' -> 2;
      case 'g' -> 3;
      case 't' -> 4;
      default -> 0; // "b"
    };
    return amount * Math.pow(base, power);
  }

  static Position position(Token token) {
    return new Position(token.getLine(), token.getCharPositionInLine() + 1);
  }

  static Position position(ParserRuleContext ctx) {
    return position(ctx.start);
  }
}
