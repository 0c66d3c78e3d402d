package io.tocsin.ingest;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log that points were refused, and why (the reasons and the first metric of each,
 * as the client is told): at most once a minute, with how many more were refused in between, so
 * that a client sending bad points all day fills neither the disk nor the screen. Every refused
 * point is counted in {@code tocsin_otlp_points_rejected_total} anyway.
 */
final class RejectionWarnings {
  private static final Logger log = LoggerFactory.getLogger(RejectionWarnings.class);
  static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final LongSupplier nanoTime;
  /** Guarded by this. */
  private boolean warned;
  private long warnedAt;
  private long unsaid;

  RejectionWarnings(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  synchronized void rejected(IngestMetrics.Transport transport, IngestResult result) {
    if (result.rejected() == 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (warned && now - warnedAt < INTERVAL_NANOS) {
      unsaid += result.rejected();
      return;
    }
    log.warn("{}: refused {} of {} points: {}{}", transport.id(), result.rejected(), result.received(),
        result.message(), unsaid == 0 ? "" : " (" + unsaid + " more points were refused in the minute before; "
            + "tocsin_otlp_points_rejected_total counts them by reason)");
    warned = true;
    warnedAt = now;
    unsaid = 0;
  }
}
