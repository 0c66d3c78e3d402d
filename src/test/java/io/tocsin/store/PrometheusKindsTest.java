package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusKindsTest {
  @Test
  void kindOf_withoutMetadata_followsTheSuffixRules() {
    assertThat(PrometheusKinds.kindOf("http_requests_total", null, false)).isEqualTo(MetricKind.COUNTER);
    assertThat(PrometheusKinds.kindOf("rpc_duration_seconds_count", null, false)).isEqualTo(MetricKind.COUNTER);
    assertThat(PrometheusKinds.kindOf("rpc_duration_seconds_sum", null, false)).isEqualTo(MetricKind.COUNTER);
    assertThat(PrometheusKinds.kindOf("rpc_duration_seconds_bucket", null, true)).isEqualTo(MetricKind.HISTOGRAM);
    // A _bucket series without le is no histogram bucket.
    assertThat(PrometheusKinds.kindOf("s3_bucket", null, false)).isEqualTo(MetricKind.GAUGE);
    assertThat(PrometheusKinds.kindOf("redis_up", null, false)).isEqualTo(MetricKind.GAUGE);
    assertThat(PrometheusKinds.kindOf("totals", null, false)).isEqualTo(MetricKind.GAUGE);
    assertThat(PrometheusKinds.kindOf("redis_up", "unknown", false)).isEqualTo(MetricKind.GAUGE);
  }

  @Test
  void kindOf_withMetadata_followsTheType() {
    assertThat(PrometheusKinds.kindOf("jobs_done", "counter", false)).isEqualTo(MetricKind.COUNTER);
    assertThat(PrometheusKinds.kindOf("queue_depth_total", "gauge", false)).isEqualTo(MetricKind.GAUGE);
    assertThat(PrometheusKinds.kindOf("build_info", "info", false)).isEqualTo(MetricKind.GAUGE);
    assertThat(PrometheusKinds.kindOf("latency_bucket", "histogram", true)).isEqualTo(MetricKind.HISTOGRAM);
    assertThat(PrometheusKinds.kindOf("latency_count", "histogram", false)).isEqualTo(MetricKind.COUNTER);
    assertThat(PrometheusKinds.kindOf("latency_sum", "HISTOGRAM", false)).isEqualTo(MetricKind.COUNTER);
    assertThat(PrometheusKinds.kindOf("rpc", "summary", true)).isEqualTo(MetricKind.GAUGE);
    assertThat(PrometheusKinds.kindOf("rpc_count", "summary", false)).isEqualTo(MetricKind.COUNTER);
  }

  @Test
  void familyOf_dropsOneKnownSuffix() {
    assertThat(PrometheusKinds.familyOf("latency_seconds_bucket")).isEqualTo("latency_seconds");
    assertThat(PrometheusKinds.familyOf("http_requests_total")).isEqualTo("http_requests");
    assertThat(PrometheusKinds.familyOf("redis_up")).isEqualTo("redis_up");
    assertThat(PrometheusKinds.familyOf("_sum")).isEqualTo("_sum");
  }
}
