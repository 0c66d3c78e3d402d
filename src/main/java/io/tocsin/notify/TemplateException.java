package io.tocsin.notify;

/** A template that does not compile or did not render; {@link #line()} counts from 1 within the template. */
public final class TemplateException extends Exception {
  private final int line;

  TemplateException(int line, String message) {
    super(message);
    this.line = line;
  }

  public int line() {
    return line;
  }
}
