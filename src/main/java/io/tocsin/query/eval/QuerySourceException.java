package io.tocsin.query.eval;

/**
 * A query source could not answer: a remote store is down, slow or answered an error. The
 * message says which and why; it never holds credentials.
 */
public class QuerySourceException extends RuntimeException {
  public QuerySourceException(String message) {
    super(message);
  }

  public QuerySourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
