package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
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

  /** Decodes a protobuf-encoded request; the message explains what is wrong with the bytes. */
  static ExportMetricsServiceRequest parse(byte[] body) throws InvalidRequestException {
    try {
      return ExportMetricsServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidRequestException("request body is not a valid protobuf ExportMetricsServiceRequest: "
          + e.getMessage());
    }
  }

  boolean tryAdmit(Transport transport) {
    if (limiter.tryAcquire()) {
      return true;
    }
    metrics.recordRequest(transport, Outcome.OVERLOADED);
    return false;
  }

  /** Writes an admitted request's points and releases its admission. */
  ExportMetricsServiceResponse export(Transport transport, ExportMetricsServiceRequest request) {
    try {
      IngestResult result = translator.write(request);
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
