package io.tocsin.notify;

import java.util.Locale;
import java.util.Map;

/**
 * How bad an alert is, for the incident tools that rank alerts (PagerDuty, Opsgenie). Monitors
 * have no severity levels yet, so it comes from the alert's {@code severity} label, as Prometheus
 * rules set it, read leniently ({@code warn}, {@code page}, any case). An alert without one, or
 * with a value not listed here, is {@link #CRITICAL}: an unknown alert is paged rather than missed.
 */
public enum Severity {
  CRITICAL, ERROR, WARNING, INFO;

  /** From an alert's full labels (the monitor's and the group's). */
  public static Severity of(Map<String, String> labels) {
    String value = labels.getOrDefault("severity", "").strip().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "error", "major", "high" -> ERROR;
      case "warning", "warn", "minor", "medium" -> WARNING;
      case "info", "informational", "low", "none" -> INFO;
      default -> CRITICAL; // critical, page, fatal, and anything unknown
    };
  }

  /** {@code critical}, {@code error}, {@code warning} or {@code info}: PagerDuty's own words. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
