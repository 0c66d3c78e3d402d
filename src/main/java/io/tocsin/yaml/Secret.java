package io.tocsin.yaml;

/**
 * A configuration value that must never be printed: tokens, passwords, webhook URLs. Its {@link
 * #toString} is a placeholder, so it is safe in logs, records and error messages by default.
 */
public final class Secret {
  public static final Secret NONE = new Secret("");

  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    return value == null || value.isEmpty() ? NONE : new Secret(value);
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return isEmpty() ? "<none>" : "<redacted>";
  }
}
