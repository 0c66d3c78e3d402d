package io.tocsin.query;

import io.tocsin.query.ast.Position;

/**
 * A query that cannot be parsed or evaluated, with the position of the problem in the query
 * text. The message reads {@code line 1:12: unknown function 'rat', did you mean 'rate'?}.
 */
public final class QueryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which list of a query the problem is in: its metric declarations or its items. */
  public enum Source { METRICS, QUERY }

  private final transient Position position;
  private final String detail;
  private final Source source;
  private final int index;

  public QueryException(Position position, String detail) {
    this(position, detail, null, -1);
  }

  private QueryException(Position position, String detail, Source source, int index) {
    super("line " + position.line() + ":" + position.column() + ": " + detail);
    this.position = position;
    this.detail = detail;
    this.source = source;
    this.index = index;
  }

  /** The same problem, located in entry {@code index} of {@code source} (-1: not one entry). */
  public QueryException in(Source source, int index) {
    return new QueryException(position, detail, source, index);
  }

  /** Where the problem is, or null when not known. */
  public Source source() {
    return source;
  }

  /** The entry of {@link #source()} the position is in, or -1. */
  public int index() {
    return index;
  }

  public Position position() {
    return position;
  }

  /** The message without its position. */
  public String detail() {
    return detail;
  }
}
