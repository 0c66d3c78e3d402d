package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.testing.LogCapture;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RejectionWarningsTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final IngestMetrics metrics = new IngestMetrics(new PrometheusRegistry(), nanos::get);

  private static IngestResult refused(int accepted, int rejected, String message) {
    return new IngestResult(accepted, rejected, Map.of(RejectReason.MISSING_VALUE, rejected), message);
  }

  @Test
  void refusedPoints_areWarnedAtMostOnceAMinute_withHowManyWereLeftUnsaid() {
    try (LogCapture logs = LogCapture.of(RejectionWarnings.class)) {
      metrics.recordPoints(IngestMetrics.Transport.HTTP, refused(0, 0, ""));
      metrics.recordPoints(IngestMetrics.Transport.HTTP, refused(8, 2, "2 data points with no value (first: redis_up)"));
      nanos.addAndGet(TimeUnit.SECONDS.toNanos(30));
      metrics.recordPoints(IngestMetrics.Transport.GRPC, refused(0, 3, "3 data points with no value (first: a)"));
      metrics.recordPoints(IngestMetrics.Transport.GRPC, refused(0, 4, "4 data points with no value (first: b)"));
      nanos.addAndGet(TimeUnit.SECONDS.toNanos(30));
      metrics.recordPoints(IngestMetrics.Transport.REMOTE_WRITE, refused(1, 1, "1 sample with no value (first: c)"));

      assertThat(logs.messages()).containsExactly(
          "WARN http: refused 2 of 10 points: 2 data points with no value (first: redis_up)",
          "WARN remote_write: refused 1 of 2 points: 1 sample with no value (first: c) (7 more points were refused "
              + "in the minute before; tocsin_otlp_points_rejected_total counts them by reason)");
    }
  }
}
