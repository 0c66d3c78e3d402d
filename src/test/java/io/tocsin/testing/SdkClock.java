package io.tocsin.testing;

import io.opentelemetry.sdk.common.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** An OpenTelemetry SDK clock that a test moves, so exported points get distinct timestamps. */
public final class SdkClock implements Clock {
  private final AtomicLong epochNanos;

  public SdkClock(long startEpochMillis) {
    this.epochNanos = new AtomicLong(startEpochMillis * 1_000_000);
  }

  public void advance(Duration d) {
    epochNanos.addAndGet(d.toNanos());
  }

  @Override
  public long now() {
    return epochNanos.get();
  }

  @Override
  public long nanoTime() {
    return epochNanos.get();
  }
}
