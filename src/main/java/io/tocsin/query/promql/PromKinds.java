package io.tocsin.query.promql;

import io.tocsin.store.MetricKind;
import java.util.Map;

/**
 * The kind of a Prometheus-shaped metric, which carries none (design §10): {@code _total},
 * {@code _count} and {@code _sum} are cumulative counters, {@code _bucket} a histogram's buckets,
 * anything else a gauge; a datasource's {@code kinds:} override the rule per metric name.
 * The remote-write receiver applies the same rule; this copy goes once the shared one is merged.
 */
public final class PromKinds {
  private PromKinds() {}

  public static MetricKind of(String metric, Map<String, MetricKind> overrides) {
    MetricKind kind = overrides.get(metric);
    if (kind != null) {
      return kind;
    }
    if (metric.endsWith("_total") || metric.endsWith("_count") || metric.endsWith("_sum")) {
      return MetricKind.COUNTER;
    }
    return metric.endsWith("_bucket") ? MetricKind.HISTOGRAM : MetricKind.GAUGE;
  }
}
