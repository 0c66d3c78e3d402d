package io.tocsin.ingest;

import java.util.concurrent.Semaphore;

/**
 * Bounds the export requests being decoded and written at once, across both transports. A
 * request beyond the bound is refused at once with "retry later" (gRPC UNAVAILABLE, HTTP 503)
 * rather than queued: queued requests hold their bodies in memory, and OTLP exporters retry.
 */
public final class IngestLimiter {
  /** Seconds a refused client is asked to wait before retrying. */
  static final int RETRY_AFTER_SECONDS = 1;

  private final Semaphore permits;

  public IngestLimiter(int maxInflightRequests) {
    if (maxInflightRequests <= 0) {
      throw new IllegalArgumentException("max in-flight requests must be positive, got " + maxInflightRequests);
    }
    this.permits = new Semaphore(maxInflightRequests);
  }

  boolean tryAcquire() {
    return permits.tryAcquire();
  }

  void release() {
    permits.release();
  }
}
