package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.store.SeriesSamples;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.Await;
import io.tocsin.util.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OTLP/gRPC with a real gRPC client that can also send bytes that are not a valid request. */
class OtlpGrpcServerTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final int MAX_MESSAGE_BYTES = 4096;

  /** The Export method, sending raw bytes so the test can send garbage. */
  private static final MethodDescriptor<byte[], ExportMetricsServiceResponse> RAW_EXPORT =
      MethodDescriptor.<byte[], ExportMetricsServiceResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MetricsServiceGrpc.getExportMethod().getFullMethodName())
          .setRequestMarshaller(new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(byte[] value) {
              return new ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(InputStream stream) {
              throw new UnsupportedOperationException();
            }
          })
          .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(ExportMetricsServiceResponse.getDefaultInstance()))
          .build();

  private final MutableClock clock = new MutableClock(NOW);
  private final SeriesStore store = new SeriesStore(clock, StoreSettings.defaults());
  private final IngestLimiter limiter = new IngestLimiter(4);
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private OtlpGrpcServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    OtlpIngest ingest = new OtlpIngest(new MetricsTranslator(store, clock), limiter, new IngestMetrics(registry));
    server = OtlpGrpcServer.start(new InetSocketAddress("127.0.0.1", 0), MAX_MESSAGE_BYTES, Duration.ofSeconds(10), ingest);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  private ExportMetricsServiceResponse export(byte[] body) {
    return ClientCalls.blockingUnaryCall(channel, RAW_EXPORT, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
  }

  private static ExportMetricsServiceRequest gauge(NumberDataPoint.Builder... points) {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (NumberDataPoint.Builder p : points) {
      gauge.addDataPoints(p);
    }
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("up").setGauge(gauge)))).build();
  }

  private static NumberDataPoint.Builder point(double value) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(NOW.toEpochMilli() * 1_000_000).setAsDouble(value);
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void validRequest_isStoredAndAnsweredWithAnEmptyResponse() {
    ExportMetricsServiceResponse response = export(gauge(point(1)).toByteArray());

    assertThat(response).isEqualTo(ExportMetricsServiceResponse.getDefaultInstance());
    assertThat(store.read("up", l -> true, 0, Long.MAX_VALUE)).singleElement()
        .extracting(SeriesSamples::values).satisfies(v -> assertThat(v).containsExactly(1));
  }

  @Test
  void invalidPoint_isPartialSuccessAndTheValidPointIsKept() {
    ExportMetricsServiceResponse response = export(gauge(point(1), NumberDataPoint.newBuilder().setAsDouble(2)).toByteArray());

    assertThat(response.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
    assertThat(response.getPartialSuccess().getErrorMessage())
        .isEqualTo("rejected 1 data point: 1 with time_unix_nano 0 (first in metric \"up\")");
    assertThat(store.read("up", l -> true, 0, Long.MAX_VALUE)).hasSize(1);
  }

  @Test
  void undecodableBody_isInvalidArgument() throws IOException {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> export(new byte[] {0x0a, (byte) 0xff, 0x01}));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("request body is not a valid protobuf "
        + "ExportMetricsServiceRequest: a length-delimited field runs past the end of its message");
    assertThat(scrape()).contains("tocsin_otlp_requests_total{outcome=\"invalid\",transport=\"grpc\"} 1.0");
  }

  @Test
  void messageOverTheLimit_isResourceExhausted() throws IOException {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> export(new byte[MAX_MESSAGE_BYTES + 1]));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).isEqualTo("gRPC message exceeds maximum size 4096: 4097");
    assertThat(store.seriesCount()).isZero();
    assertThat(scrape()).contains("tocsin_otlp_requests_total{outcome=\"too_large\",transport=\"grpc\"} 1.0");
  }

  @Test
  void gzipMessageInflatingOverTheLimit_isResourceExhaustedWithoutAStackTrace() throws Exception {
    byte[] zeros = new byte[MAX_MESSAGE_BYTES * 100];
    // grpc-java logs through java.util.logging.
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger grpcLogger = Logger.getLogger("io.grpc");
    grpcLogger.addHandler(handler);
    try {
      for (int i = 0; i < 3; i++) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
            () -> ClientCalls.blockingUnaryCall(channel, RAW_EXPORT,
                CallOptions.DEFAULT.withCompression("gzip").withDeadlineAfter(10, TimeUnit.SECONDS), zeros));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription())
            .isEqualTo("decompressed request body exceeds limits.max_request_bytes (4096)");
      }
    } finally {
      grpcLogger.removeHandler(handler);
    }
    assertThat(logged).extracting(LogRecord::getMessage).isEmpty();
    assertThat(store.seriesCount()).isZero();
    // gRPC tells the stream tracer that counts these after the client has its answer: wait for the count.
    String tooLarge = "tocsin_otlp_requests_total{outcome=\"too_large\",transport=\"grpc\"} 3.0";
    assertThat(Await.until("three too_large requests counted", Duration.ofSeconds(30), this::scrape,
        text -> text.contains(tooLarge))).contains(tooLarge);
    assertThat(export(gauge(point(1)).toByteArray())).isEqualTo(ExportMetricsServiceResponse.getDefaultInstance());
  }

  @Test
  void overloaded_isUnavailableWithRetryInfo() throws InvalidProtocolBufferException, IOException {
    while (limiter.tryAcquire()) {
      // hold every permit, as if requests were being processed
    }

    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> export(gauge(point(1)).toByteArray()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("too many export requests in flight (limits.max_inflight_requests); retry after 1s");
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertThat(details.getDetailsList()).singleElement()
        .satisfies(any -> assertThat(any.unpack(RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(1));
    assertThat(store.seriesCount()).isZero();
    assertThat(scrape()).contains("tocsin_otlp_requests_total{outcome=\"overloaded\",transport=\"grpc\"} 1.0");
  }
}
