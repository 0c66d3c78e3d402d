package io.tocsin.yaml;

/** One problem in a configuration file, printed as {@code file:line:col: message}. */
public record ConfigError(Mark mark, String message) {
  @Override
  public String toString() {
    return mark + ": " + message;
  }
}
