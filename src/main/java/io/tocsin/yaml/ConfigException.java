package io.tocsin.yaml;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every problem found in a configuration, one {@code file:line:col: message} per line, in the
 * order they appear in the files.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(sorted(errors).stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
    this.errors = sorted(errors);
  }

  private static List<ConfigError> sorted(List<ConfigError> errors) {
    return errors.stream()
        .sorted(Comparator.comparing((ConfigError e) -> e.mark().file())
            .thenComparingInt(e -> e.mark().line())
            .thenComparingInt(e -> e.mark().column()))
        .toList();
  }

  public List<ConfigError> errors() {
    return errors;
  }
}
