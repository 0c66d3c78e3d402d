package io.tocsin.store;

import java.util.Locale;

/**
 * The kind of a Prometheus-shaped series (design section 10), shared by remote-write ingest and
 * remote datasources: the metadata type when the sender gave one; else {@code _total}, {@code
 * _count} and {@code _sum} are cumulative counters, {@code _bucket} with an {@code le} label is a
 * bucket of the histogram named without the suffix, and anything else is a gauge.
 */
public final class PrometheusKinds {
  private static final String[] SUFFIXES = {"_total", "_count", "_sum", "_bucket"};

  private PrometheusKinds() {}

  /**
   * The kind of series {@code name}; {@link MetricKind#HISTOGRAM} means a bucket of the
   * histogram {@link #familyOf}({@code name}).
   *
   * @param type the metadata type of its family, lower case as Prometheus prints it ({@code
   *     counter}, {@code gauge}, {@code histogram}, {@code summary}, ...), or null when unknown
   * @param hasLe whether the series has an {@code le} label
   */
  public static MetricKind kindOf(String name, String type, boolean hasLe) {
    boolean bucket = hasLe && name.endsWith("_bucket");
    boolean countOrSum = name.endsWith("_count") || name.endsWith("_sum");
    switch (type == null ? "unknown" : type.toLowerCase(Locale.ROOT)) {
      case "counter":
        return MetricKind.COUNTER;
      case "gauge", "info", "stateset", "gaugehistogram":
        return MetricKind.GAUGE;
      case "histogram":
        return bucket ? MetricKind.HISTOGRAM : countOrSum ? MetricKind.COUNTER : MetricKind.GAUGE;
      case "summary":
        return countOrSum ? MetricKind.COUNTER : MetricKind.GAUGE;
      default:
        break;
    }
    if (bucket) {
      return MetricKind.HISTOGRAM;
    }
    return name.endsWith("_total") || countOrSum ? MetricKind.COUNTER : MetricKind.GAUGE;
  }

  /** {@code name} without its {@code _total}, {@code _count}, {@code _sum} or {@code _bucket} suffix. */
  public static String familyOf(String name) {
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix) && name.length() > suffix.length()) {
        return name.substring(0, name.length() - suffix.length());
      }
    }
    return name;
  }
}
