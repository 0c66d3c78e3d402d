package io.tocsin.ingest;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Ingest self-metrics: points received, accepted and rejected, and requests by outcome. Named
 * tocsin_otlp_* since OTLP came first; remote write is the transport {@code remote_write}.
 */
public final class IngestMetrics {
  /** How a request arrived. */
  public enum Transport {
    GRPC,
    HTTP,
    /** Prometheus remote write, on the REST port. */
    REMOTE_WRITE;

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How a request ended. */
  public enum Outcome {
    /** Every point stored. */
    OK,
    /** Some points rejected (OTLP partial success). */
    PARTIAL,
    /** The body could not be decoded. */
    INVALID,
    /** Over limits.max_request_bytes. */
    TOO_LARGE,
    /** A content type or encoding Tocsin does not speak, or a method other than POST. */
    UNSUPPORTED,
    /** The body did not arrive within limits.request_read_timeout. */
    TIMEOUT,
    /** Shed because too many requests were in flight. */
    OVERLOADED,
    /** Refused with retry-later because the write-ahead log could not write. */
    UNAVAILABLE,
    /** Anything else. */
    ERROR;

    String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final PrometheusRegistry registry;
  private final Counter received;
  private final Counter accepted;
  private final Counter rejected;
  private final Counter requests;
  private final RejectionWarnings warnings;

  public IngestMetrics(PrometheusRegistry registry) {
    this(registry, System::nanoTime);
  }

  IngestMetrics(PrometheusRegistry registry, LongSupplier nanoTime) {
    this.registry = registry;
    warnings = new RejectionWarnings(nanoTime);
    received = Counter.builder().name("tocsin_otlp_points_received_total")
        .help("Data points received (OTLP, and remote-write samples), by transport").labelNames("transport").register(registry);
    accepted = Counter.builder().name("tocsin_otlp_points_accepted_total")
        .help("Data points stored (OTLP, and remote-write samples), by transport").labelNames("transport").register(registry);
    rejected = Counter.builder().name("tocsin_otlp_points_rejected_total")
        .help("Data points rejected (OTLP, and remote-write samples), by transport and reason").labelNames("transport", "reason").register(registry);
    requests = Counter.builder().name("tocsin_otlp_requests_total")
        .help("Export requests (OTLP, and remote-write requests), by transport and outcome").labelNames("transport", "outcome").register(registry);
  }

  void recordPoints(Transport transport, IngestResult result) {
    received.labelValues(transport.id()).inc(result.received());
    accepted.labelValues(transport.id()).inc(result.accepted());
    result.rejectedByReason().forEach((reason, n) -> rejected.labelValues(transport.id(), reason.id()).inc(n));
    recordRequest(transport, result.rejected() == 0 ? Outcome.OK : Outcome.PARTIAL);
    warnings.rejected(transport, result);
  }

  void recordRequest(Transport transport, Outcome outcome) {
    requests.labelValues(transport.id(), outcome.id()).inc();
  }

  /** Reports {@code held}, the bytes the remote-write connections' series caches hold ({@link SenderSeries}). */
  void senderSeriesBytes(LongSupplier held) {
    GaugeWithCallback.builder().name("tocsin_remote_write_sender_series_bytes")
        .help("Bytes the remote-write connections hold to find the series they sent before (at most 16 MiB)")
        .callback(callback -> callback.call(held.getAsLong())).register(registry);
  }
}
