package io.tocsin.api;

import java.util.List;

/** Reloads the rule files, for {@code POST /-/reload}. */
@FunctionalInterface
public interface Reloader {
  /**
   * Reads the rule files again; on errors, the rules running now keep running.
   *
   * @return how it went: {@code errors} holds {@code file:line:col: message} lines
   */
  Result reload();

  record Result(boolean reloaded, int monitors, List<String> errors) {}
}
