package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.tocsin.ingest.IngestMetrics.Outcome;
import io.tocsin.ingest.IngestMetrics.Transport;

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

  boolean tryAdmit(Transport transport) {
    if (limiter.tryAcquire()) {
      return true;
    }
    metrics.recordRequest(transport, Outcome.OVERLOADED);
    return false;
  }

  /**
   * Decodes and writes an admitted request's protobuf body and releases its admission; a body
   * that does not decode is refused whole.
   */
  ExportMetricsServiceResponse export(Transport transport, byte[] body) throws InvalidRequestException {
    try {
      IngestResult result;
      try {
        result = translator.write(body);
      } catch (InvalidProtocolBufferException e) {
        metrics.recordRequest(transport, Outcome.INVALID);
        throw new InvalidRequestException("request body is not a valid protobuf ExportMetricsServiceRequest: "
            + e.getMessage());
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

  /** Releases an admitted request that failed before it was written. */
  void fail(Transport transport, Outcome outcome) {
    limiter.release();
    metrics.recordRequest(transport, outcome);
  }

  void record(Transport transport, Outcome outcome) {
    metrics.recordRequest(transport, outcome);
  }

  /** A body that is not an OTLP metrics export. */
  static final class InvalidRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidRequestException(String message) {
      super(message);
    }
  }
}
