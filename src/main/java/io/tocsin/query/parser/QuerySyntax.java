package io.tocsin.query.parser;

import io.tocsin.query.QueryException;
import io.tocsin.query.ast.Expr;
import io.tocsin.query.ast.MetricDeclaration;
import io.tocsin.query.ast.Part;
import io.tocsin.query.ast.Position;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/**
 * Parses query text into the AST. Every problem becomes a {@link QueryException} with the line
 * and column where it is; nothing else escapes, whatever the input.
 */
public final class QuerySyntax {
  /** Longer query items are refused before parsing; no monitor needs one. */
  static final int MAX_LENGTH = 10_000;
  /** Deeper nesting of brackets is refused before parsing, which recurses per level. */
  static final int MAX_NESTING = 64;
  /** Deeper expressions (long operator chains nest too) are refused: planning recurses per level. */
  static final int MAX_DEPTH = 200;

  private QuerySyntax() {}

  /** One query item: parts such as {@code group by node | $hits / $misses as ratio}. */
  public static List<Part> parseItem(String text) {
    checkShape(text);
    List<Part> parts = parse(text, parser -> AstBuilder.parts(parser.queryItem()));
    for (Part part : parts) {
      if (part instanceof Part.Column column && depth(column.expr()) > MAX_DEPTH) {
        throw new QueryException(column.position(), "expression nested deeper than " + MAX_DEPTH + " levels");
      }
    }
    return parts;
  }

  /** The depth of an expression tree, measured without recursion. */
  private static int depth(Expr root) {
    int max = 0;
    Deque<Expr> stack = new ArrayDeque<>();
    Deque<Integer> depths = new ArrayDeque<>();
    stack.push(root);
    depths.push(1);
    while (!stack.isEmpty()) {
      Expr expr = stack.pop();
      int d = depths.pop();
      max = Math.max(max, d);
      List<Expr> children = expr instanceof Expr.Binary b ? List.of(b.left(), b.right())
          : expr instanceof Expr.Negate n ? List.of(n.operand())
          : expr instanceof Expr.Call c ? c.args() : List.of();
      for (Expr child : children) {
        stack.push(child);
        depths.push(d + 1);
      }
    }
    return max;
  }

  /** A metric declaration such as {@code redis.keyspace.hits as $hits}. */
  public static MetricDeclaration parseMetric(String text) {
    checkShape(text);
    if (BARE_METRIC.matcher(text).matches()) {
      // Uptrace's format names every metric: the parser would only say the text ended early.
      String name = text.strip();
      throw new QueryException(positionOf(text, text.indexOf(name)), "metric '" + name + "' needs an alias, e.g. '"
          + name + " as $" + name.replaceAll("[^A-Za-z0-9_]", "_") + "'");
    }
    return parse(text, parser -> AstBuilder.metric(parser.metricDeclaration()));
  }

  /** A metric name alone, without {@code as $alias}. */
  private static final Pattern BARE_METRIC = Pattern.compile("\\s*[A-Za-z_][A-Za-z0-9_.:]*\\s*");

  private static <T> T parse(String text, Function<QueryParser, T> rule) {
    QueryLexer lexer = new QueryLexer(CharStreams.fromString(text));
    QueryParser parser = new QueryParser(new CommonTokenStream(lexer));
    lexer.removeErrorListeners();
    parser.removeErrorListeners();
    parser.addErrorListener(ThrowingErrorListener.INSTANCE);
    try {
      return rule.apply(parser);
    } catch (StackOverflowError e) {
      // Long operator chains nest in the parse tree without brackets; refuse them as a query.
      throw new QueryException(Position.UNKNOWN, "query is too complex to parse");
    }
  }

  /** Refuses empty, over-long, unbalanced or too deeply nested text with a precise message. */
  private static void checkShape(String text) {
    if (text == null || text.isBlank()) {
      throw new QueryException(Position.UNKNOWN, "empty query");
    }
    if (text.length() > MAX_LENGTH) {
      throw new QueryException(Position.UNKNOWN,
          "query of " + text.length() + " characters is longer than the limit of " + MAX_LENGTH);
    }
    Deque<Integer> open = new ArrayDeque<>();
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      switch (c) {
        case '"', '\'' -> quote = c;
        case '(', '[', '{' -> {
          open.push(i);
          if (open.size() > MAX_NESTING) {
            throw new QueryException(positionOf(text, i), "brackets nested deeper than " + MAX_NESTING + " levels");
          }
        }
        case ')', ']', '}' -> {
          if (open.isEmpty()) {
            throw new QueryException(positionOf(text, i), "unbalanced '" + c + "': nothing to close");
          }
          int start = open.pop();
          char expected = closing(text.charAt(start));
          if (c != expected) {
            throw new QueryException(positionOf(text, i), "'" + c + "' closes '" + text.charAt(start) + "' at "
                + positionOf(text, start) + "; expected '" + expected + "'");
          }
        }
        default -> { }
      }
    }
    if (quote != 0) {
      throw new QueryException(positionOf(text, text.lastIndexOf(quote)), "unterminated string");
    }
    if (!open.isEmpty()) {
      int start = open.pop();
      throw new QueryException(positionOf(text, start), "unbalanced '" + text.charAt(start) + "': never closed");
    }
  }

  private static char closing(char opening) {
    return switch (opening) {
      case '(' -> ')';
      case '[' -> ']';
      default -> '}';
    };
  }

  private static Position positionOf(String text, int index) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new Position(line, index - lineStart + 1);
  }

  /** Turns ANTLR's first syntax error into a {@link QueryException}. */
  private static final class ThrowingErrorListener extends BaseErrorListener {
    static final ThrowingErrorListener INSTANCE = new ThrowingErrorListener();

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
        String msg, RecognitionException e) {
      Position position = new Position(line, charPositionInLine + 1);
      if (offendingSymbol instanceof Token token) {
        if (token.getType() == Token.EOF) {
          throw new QueryException(position, "unexpected end of query");
        }
        if (token.getType() == QueryLexer.ERROR_CHAR) {
          throw new QueryException(position, "unexpected character '" + token.getText() + "'");
        }
        throw new QueryException(position, "unexpected '" + token.getText() + "'");
      }
      throw new QueryException(position, "syntax error");
    }
  }
}
