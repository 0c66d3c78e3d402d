package io.tocsin.query.eval;

/**
 * An ad-hoc query that went over one of its limits ({@link QueryBudget}); the message says which
 * limit, its value, and how to narrow the query.
 *
 * @see #limit()
 */
public final class QueryLimitException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String limit;
  private final transient Object value;

  QueryLimitException(String limit, Object value, String message) {
    super(message, null, false, false);
    this.limit = limit;
    this.value = value;
  }

  /** The key of the limit under {@code query:} in {@code tocsin.yml}, e.g. {@code max_result_points}. */
  public String limit() {
    return limit;
  }

  /** The limit's value: a number, or a duration as written in the configuration. */
  public Object value() {
    return value;
  }
}
