package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.tocsin.ingest.IngestMetrics.Outcome;
import io.tocsin.ingest.IngestMetrics.Transport;
import io.tocsin.store.AppendLog;
import java.io.IOException;

/**
 * What both OTLP transports share: admission against the in-flight bound, decoding, writing, the
 * response with partial success, and self-metrics. The transports only map outcomes onto their
 * own status codes.
 */
public final class OtlpIngest {
  private final MetricsTranslator translator;
  private final IngestLimiter limiter;
  private final IngestMetrics metrics;

  public OtlpIngest(MetricsTranslator translator, IngestLimiter limiter, IngestMetrics metrics) {
    this.translator = translator;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  /**
   * Admits a request against the in-flight bound, turns its body into protobuf (gunzip, JSON),
   * decodes and writes it, and counts the outcome. The admission is released in a {@code
   * finally} around all of it, so nothing thrown in between (an OutOfMemoryError while
   * inflating, say) can keep it. An exception other than the declared ones is left to the
   * transport, which answers and counts it as an error.
   */
  ExportMetricsServiceResponse export(Transport transport, Body body)
      throws OverloadedException, InvalidRequestException, TooLargeException {
    if (!limiter.tryAcquire()) {
      metrics.recordRequest(transport, Outcome.OVERLOADED);
      throw new OverloadedException();
    }
    try {
      IOException down = translator.log().failure();
      if (down != null) {
        // Refused before anything reaches memory, so what waits for the disk stays bounded.
        metrics.recordRequest(transport, Outcome.UNAVAILABLE);
        throw new OverloadedException(walMessage(down));
      }
      IngestResult result;
      try (AppendLog.Gathering gathering = translator.log().gather()) {
        result = translator.write(body.protobuf());
      } catch (InvalidProtocolBufferException e) {
        metrics.recordRequest(transport, Outcome.INVALID);
        throw new InvalidRequestException("request body is not a valid protobuf ExportMetricsServiceRequest: "
            + e.getMessage());
      } catch (InvalidRequestException e) {
        metrics.recordRequest(transport, Outcome.INVALID);
        throw e;
      } catch (TooLargeException e) {
        metrics.recordRequest(transport, Outcome.TOO_LARGE);
        throw e;
      }
      try {
        translator.log().commit();
      } catch (IOException e) {
        // The points are in memory but not in the log: the client retries, and the store drops
        // the retry's points as duplicates once they are logged.
        metrics.recordRequest(transport, Outcome.UNAVAILABLE);
        throw new OverloadedException(walMessage(e));
      }
      metrics.recordPoints(transport, result);
      if (result.rejected() == 0) {
        return ExportMetricsServiceResponse.getDefaultInstance();
      }
      return ExportMetricsServiceResponse.newBuilder()
          .setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
              .setRejectedDataPoints(result.rejected())
              .setErrorMessage(result.message()))
          .build();
    } finally {
      limiter.release();
    }
  }

  private static String walMessage(IOException e) {
    return "cannot log the data to disk (" + e.getMessage() + "); retry after " + IngestLimiter.RETRY_AFTER_SECONDS
        + "s";
  }

  void record(Transport transport, Outcome outcome) {
    metrics.recordRequest(transport, outcome);
  }

  /** A request body, turned into protobuf only once the request is admitted. */
  @FunctionalInterface
  interface Body {
    byte[] protobuf() throws InvalidRequestException, TooLargeException;
  }

  /** A body that is not an OTLP metrics export. */
  static final class InvalidRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidRequestException(String message) {
      super(message);
    }
  }

  /** The body, or what it inflates to, is over limits.max_request_bytes. */
  static final class TooLargeException extends Exception {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  /** Too many requests in flight, or the write-ahead log cannot write: the client should retry later. */
  static final class OverloadedException extends Exception {
    private static final long serialVersionUID = 1L;

    OverloadedException() {
      this("too many export requests in flight (limits.max_inflight_requests); retry after "
          + IngestLimiter.RETRY_AFTER_SECONDS + "s");
    }

    OverloadedException(String message) {
      super(message);
    }
  }
}
