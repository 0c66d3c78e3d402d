package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.SeriesSamples;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OTLP/HTTP over a real socket: JSON fixtures in the specification's form, and every bad input. */
class OtlpHttpServerTest {
  private static final Instant FIXTURE_TIME = Instant.parse("2026-03-01T12:00:30Z");
  private static final long MAX_REQUEST_BYTES = 4096;

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(FIXTURE_TIME);
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    ServerConfig config = TestServers.loopbackConfig(dataDir)
        .withLimits(new ServerConfig.Limits(1000, 1000, MAX_REQUEST_BYTES, 8));
    tocsin = Tocsin.start(config, clock);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private URI endpoint() {
    return URI.create("http://127.0.0.1:" + tocsin.otlpHttpPort() + "/v1/metrics");
  }

  private HttpResponse<byte[]> post(String contentType, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint()).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = OtlpHttpServerTest.class.getResourceAsStream("/otlp/" + name)) {
      return in.readAllBytes();
    }
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static ExportMetricsServiceRequest gaugeRequest(String name, NumberDataPoint.Builder... points) {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (NumberDataPoint.Builder p : points) {
      gauge.addDataPoints(p);
    }
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName(name).setGauge(gauge)))).build();
  }

  private static NumberDataPoint.Builder point(long epochSecond, double value) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(epochSecond * 1_000_000_000L).setAsDouble(value);
  }

  private List<SeriesSamples> read(String metric) {
    return tocsin.store().read(metric, l -> true, 0, Long.MAX_VALUE);
  }

  @Test
  void jsonFixture_isAcceptedWithStringAndNumberInt64sIntegerEnumsAndUnknownFields() throws Exception {
    HttpResponse<byte[]> response = post("application/json", fixture("metrics.json"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(text(response)).isEqualTo("{}");

    Labels node = Labels.of("service_name", "redis-exporter", "redis_cluster", "c1", "node", "n1");
    SeriesSamples hits = read("redis_keyspace_hits").get(0);
    assertThat(hits.labels()).isEqualTo(node);
    // The stream began before the receiver: its first value is history, then +75.
    assertThat(hits.values()).containsExactly(0, 75);

    SeriesSamples memory = read("redis_memory_used").get(0);
    assertThat(memory.labels()).isEqualTo(Labels.of("service_name", "redis-exporter", "redis_cluster", "c1",
        "node", "n1", "shard", "3", "primary", "true"));
    assertThat(memory.values()).containsExactly(1048576.5);

    HistogramSample histogram = tocsin.store().readHistogramBuckets("redis_commands_duration", l -> true,
        new BucketGrid(FIXTURE_TIME.toEpochMilli() - 30_000, 60_000, 1)).get(0).buckets()[0];
    assertThat(histogram).isEqualTo(new HistogramSample(4, 0.75, new double[] {0.01, 0.5}, new double[] {1, 2, 1}));
  }

  @Test
  void jsonWithInvalidPoints_isPartialSuccessAndKeepsTheValidPoint() throws Exception {
    HttpResponse<byte[]> response = post("application/json; charset=utf-8", fixture("bad-points.json"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(text(response)).isEqualTo("{\"partialSuccess\":{\"rejectedDataPoints\":\"3\",\"errorMessage\":"
        + "\"rejected 3 data points: 1 with no value (first in metric \\\"queue.size\\\"); "
        + "1 with time_unix_nano 0 (first in metric \\\"queue.size\\\"); "
        + "1 with unspecified aggregation temporality (first in metric \\\"jobs.done\\\")\"}}");
    assertThat(read("queue_size")).singleElement().satisfies(s -> assertThat(s.values()).containsExactly(7));
  }

  @Test
  void protobufWithInvalidPoints_answersPartialSuccessInProtobuf() throws Exception {
    long now = FIXTURE_TIME.getEpochSecond();
    ExportMetricsServiceRequest request = gaugeRequest("up", point(now, 1), NumberDataPoint.newBuilder().setTimeUnixNano(now * 1_000_000_000L));

    HttpResponse<byte[]> response = post("application/x-protobuf", gzip(request.toByteArray()), "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    ExportMetricsServiceResponse parsed = ExportMetricsServiceResponse.parseFrom(response.body());
    assertThat(parsed.getPartialSuccess().getRejectedDataPoints()).isEqualTo(1);
    assertThat(parsed.getPartialSuccess().getErrorMessage())
        .isEqualTo("rejected 1 data point: 1 with no value (first in metric \"up\")");
    assertThat(read("up")).singleElement().satisfies(s -> assertThat(s.values()).containsExactly(1));
  }

  @Test
  void undecodableProtobuf_is400WithAStatusInProtobuf() throws Exception {
    HttpResponse<byte[]> response = post("application/x-protobuf", new byte[] {0x0a, (byte) 0xff, 0x01});

    assertThat(response.statusCode()).isEqualTo(400);
    Status status = Status.parseFrom(response.body());
    assertThat(status.getCode()).isEqualTo(com.google.rpc.Code.INVALID_ARGUMENT_VALUE);
    assertThat(status.getMessage()).isEqualTo("request body is not a valid protobuf ExportMetricsServiceRequest: "
        + "a length-delimited field runs past the end of its message");
  }

  @Test
  void malformedJson_is400WithAStatusInJson() throws Exception {
    HttpResponse<byte[]> response = post("application/json", "{\"resourceMetrics\": [".getBytes());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response)).startsWith("{\"code\":3,\"message\":\"request body is not a valid OTLP JSON "
        + "ExportMetricsServiceRequest: ");
  }

  @Test
  void invalidGzip_is400() throws Exception {
    HttpResponse<byte[]> response = post("application/json", "not gzip".getBytes(), "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response)).isEqualTo(
        "{\"code\":3,\"message\":\"request body is not valid gzip: Not in GZIP format\"}");
  }

  @Test
  void bodyOverTheLimit_is413() throws Exception {
    HttpResponse<byte[]> response = post("application/x-protobuf", new byte[(int) MAX_REQUEST_BYTES + 1]);

    assertThat(response.statusCode()).isEqualTo(413);
    Status status = Status.parseFrom(response.body());
    assertThat(status.getCode()).isEqualTo(com.google.rpc.Code.RESOURCE_EXHAUSTED_VALUE);
    assertThat(status.getMessage()).isEqualTo("request body of 4097 bytes exceeds limits.max_request_bytes (4096)");
  }

  @Test
  void streamedBodyOverTheLimit_is413() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(endpoint()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[10_000]))).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo(
        "{\"code\":8,\"message\":\"request body exceeds limits.max_request_bytes (4096)\"}");
  }

  @Test
  void gzipThatInflatesOverTheLimit_is413() throws Exception {
    byte[] bomb = gzip(new byte[1_000_000]);
    assertThat(bomb.length).isLessThan((int) MAX_REQUEST_BYTES);

    HttpResponse<byte[]> response = post("application/json", bomb, "Content-Encoding", "gzip");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(text(response)).isEqualTo(
        "{\"code\":8,\"message\":\"decompressed request body exceeds limits.max_request_bytes (4096)\"}");
  }

  @Test
  void otherContentType_is415() throws Exception {
    HttpResponse<byte[]> response = post("text/plain", "up 1".getBytes());

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(text(response)).isEqualTo("{\"code\":3,\"message\":\"unsupported Content-Type \\\"text/plain\\\"; "
        + "send application/x-protobuf or application/json\"}");
  }

  @Test
  void otherContentEncoding_is415() throws Exception {
    HttpResponse<byte[]> response = post("application/json", "{}".getBytes(), "Content-Encoding", "br");

    assertThat(response.statusCode()).isEqualTo(415);
    assertThat(text(response)).isEqualTo(
        "{\"code\":3,\"message\":\"unsupported Content-Encoding \\\"br\\\"; send gzip or no encoding\"}");
  }

  @Test
  void nonPost_is405WithAllowHeader() throws Exception {
    for (String method : List.of("GET", "PUT", "DELETE")) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint())
          .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(method).isEqualTo(405);
      assertThat(response.headers().firstValue("Allow")).hasValue("POST");
      assertThat(response.body()).isEqualTo("{\"code\":12,\"message\":\"method " + method
          + " is not allowed on /v1/metrics; use POST\"}");
    }
  }

  @Test
  void headOptionsTraceAndUnknownMethods_are405WithAllowHeader() throws Exception {
    for (String method : List.of("HEAD", "OPTIONS", "TRACE", "PROPFIND", "BREW")) {
      try (Socket socket = new Socket("127.0.0.1", tocsin.otlpHttpPort())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write((method + " /v1/metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

        assertThat(response).as(method).startsWith("HTTP/1.1 405 ").containsIgnoringCase("\r\nAllow: POST\r\n");
        if (!method.equals("HEAD")) {
          assertThat(response).as(method).endsWith("{\"code\":12,\"message\":\"method " + method
              + " is not allowed on /v1/metrics; use POST\"}");
        }
      }
    }
    assertThat(scrapeTocsin(tocsin)).contains("tocsin_otlp_requests_total{outcome=\"unsupported\",transport=\"http\"} 5.0");
  }

  @Test
  void infiniteCounterValue_isRejectedLikeNaNWhileInfiniteGaugesAreKept() throws Exception {
    long now = FIXTURE_TIME.getEpochSecond();
    Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    for (double value : new double[] {Double.POSITIVE_INFINITY, Double.NaN, Double.NEGATIVE_INFINITY, 2}) {
      sum.addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(++now * 1_000_000_000L).setAsDouble(value));
    }
    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(gaugeRequest("temperature", point(now, Double.POSITIVE_INFINITY),
            point(now + 1, Double.NEGATIVE_INFINITY)).getResourceMetrics(0))
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("requests").setSum(sum)))).build();

    HttpResponse<byte[]> response = post("application/x-protobuf", request.toByteArray());

    assertThat(ExportMetricsServiceResponse.parseFrom(response.body()).getPartialSuccess().getErrorMessage())
        .isEqualTo("rejected 3 data points: 3 with a negative, NaN or infinite value in a monotonic sum "
            + "(first in metric \"requests\")");
    assertThat(read("requests")).singleElement().satisfies(s -> assertThat(s.values()).containsExactly(2));
    assertThat(read("temperature")).singleElement()
        .satisfies(s -> assertThat(s.values()).containsExactly(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
  }

  @Test
  void slowUploads_holdNoPermitAndAreCutOffAtTheReadTimeout() throws Exception {
    Duration readTimeout = Duration.ofSeconds(2);
    int permits = 2;
    ServerConfig config = TestServers.loopbackConfig(dataDir.resolve("slow"))
        .withLimits(new ServerConfig.Limits(1000, 1000, MAX_REQUEST_BYTES, permits).withRequestReadTimeout(readTimeout));
    try (Tocsin slowed = Tocsin.start(config, clock)) {
      List<Socket> slow = new ArrayList<>();
      Thread trickler = null;
      try {
        for (int i = 0; i < permits * 3; i++) {
          Socket socket = new Socket("127.0.0.1", slowed.otlpHttpPort());
          socket.setSoTimeout(15_000);
          slow.add(socket);
          // "100 Continue" comes once the handler reads the body: every slow request is then in it.
          socket.getOutputStream().write(("POST /v1/metrics HTTP/1.1\r\nHost: localhost\r\n"
              + "Content-Type: application/x-protobuf\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          assertThat(statusLine(socket)).as("slow request " + i).isEqualTo("HTTP/1.1 100 Continue");
          socket.getOutputStream().write(0x0a);
        }
        long slowStart = System.nanoTime();
        Socket trickling = slow.get(0);
        trickler = new Thread(() -> {
          try {
            while (true) {
              Thread.sleep(100); // the pace of the trickle, one byte each time
              trickling.getOutputStream().write(0x01);
            }
          } catch (IOException | InterruptedException e) {
            // cut off, or the test is over
          }
        });
        trickler.start();

        URI uri = URI.create("http://127.0.0.1:" + slowed.otlpHttpPort() + "/v1/metrics");
        HttpResponse<byte[]> export = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                    gaugeRequest("up", point(FIXTURE_TIME.getEpochSecond(), 1)).toByteArray())).build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(slowed.store().seriesCount()).isEqualTo(1);
        for (Socket socket : slow) {
          assertThat(statusLine(socket)).isEqualTo("HTTP/1.1 408 Request Timeout");
          assertThat(Status.parseFrom(socket.getInputStream().readAllBytes()).getMessage())
              .isEqualTo("request body not received within limits.request_read_timeout (2s)");
        }
        // Well before the trickle's 1000 bytes could arrive (100 s): the timeout bounds the whole body.
        assertThat(Duration.ofNanos(System.nanoTime() - slowStart)).isLessThan(readTimeout.multipliedBy(5));
        assertThat(scrapeTocsin(slowed)).contains(
            "tocsin_otlp_requests_total{outcome=\"timeout\",transport=\"http\"} " + permits * 3 + ".0");
      } finally {
        if (trickler != null) {
          trickler.interrupt();
        }
        for (Socket socket : slow) {
          socket.close();
        }
      }
    }
  }

  @Test
  void slowUploadsFromOneClient_holdAtMostItsThreadsAndOtherClientsGoOn() throws Exception {
    Duration readTimeout = Duration.ofSeconds(2);
    ServerConfig config = TestServers.loopbackConfig(dataDir.resolve("crowded"))
        .withLimits(new ServerConfig.Limits(1000, 1000, MAX_REQUEST_BYTES, 2).withRequestReadTimeout(readTimeout));
    try (Tocsin crowded = Tocsin.start(config, clock)) {
      List<Socket> slow = new ArrayList<>();
      try {
        for (int i = 0; i <= OtlpHttpServer.THREADS_PER_CLIENT; i++) {
          Socket socket = new Socket("127.0.0.1", crowded.otlpHttpPort());
          socket.setSoTimeout(15_000);
          slow.add(socket);
          socket.getOutputStream().write(("POST /v1/metrics HTTP/1.1\r\nHost: localhost\r\n"
              + "Content-Type: application/x-protobuf\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
        }
        for (Socket socket : slow.subList(0, OtlpHttpServer.THREADS_PER_CLIENT)) {
          assertThat(statusLine(socket)).isEqualTo("HTTP/1.1 100 Continue");
        }

        // Another client (another loopback address) is served at once.
        try (Socket other = new Socket()) {
          other.bind(new InetSocketAddress("127.0.0.2", 0));
          other.connect(new InetSocketAddress("127.0.0.1", crowded.otlpHttpPort()));
          other.setSoTimeout(15_000);
          byte[] body = gaugeRequest("up", point(FIXTURE_TIME.getEpochSecond(), 1)).toByteArray();
          other.getOutputStream().write(("POST /v1/metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
              + "Content-Type: application/x-protobuf\r\nContent-Length: " + body.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          other.getOutputStream().write(body);
          assertThat(statusLine(other)).isEqualTo("HTTP/1.1 200 OK");
        }
        assertThat(crowded.store().seriesCount()).isEqualTo(1);

        // The one over its client's bound got no thread until another of its requests ended.
        Socket waiting = slow.get(OtlpHttpServer.THREADS_PER_CLIENT);
        assertThat(statusLine(waiting)).isEqualTo("HTTP/1.1 100 Continue");
        assertThat(scrapeTocsin(crowded)).containsPattern("tocsin_otlp_requests_total\\{outcome=\"timeout\","
            + "transport=\"http\"\\} [1-9]");
      } finally {
        for (Socket socket : slow) {
          socket.close();
        }
      }
    }
  }

  @Test
  void clientGoneMidBody_isCountedAsAnErrorWithoutAStackTrace() throws Exception {
    try (LogCapture logs = LogCapture.of(OtlpHttpServer.class)) {
      try (Socket socket = new Socket("127.0.0.1", tocsin.otlpHttpPort())) {
        socket.getOutputStream().write(("POST /v1/metrics HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n0123456789")
            .getBytes(StandardCharsets.US_ASCII));
      }
      String counted = "tocsin_otlp_requests_total{outcome=\"error\",transport=\"http\"} 1.0";
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!scrapeTocsin(tocsin).contains(counted) && System.nanoTime() < deadline) {
        Thread.sleep(20); // polling for the server to notice the closed connection
      }
      assertThat(scrapeTocsin(tocsin)).contains(counted);
      assertThat(logs.messages()).noneMatch(m -> m.startsWith("WARN") || m.startsWith("ERROR"));
    }
  }

  /** Reads an HTTP status line and the headers after it, and returns the status line. */
  private static String statusLine(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (head.indexOf("\r\n\r\n") < 0) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString().split("\r\n", 2)[0];
  }

  private String scrapeTocsin(Tocsin server) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void overloaded_is503WithRetryAfter() throws Exception {
    SeriesStore store = new SeriesStore(clock, StoreSettings.defaults());
    IngestLimiter limiter = new IngestLimiter(1);
    OtlpIngest ingest = new OtlpIngest(new MetricsTranslator(store, clock), limiter, new IngestMetrics(new PrometheusRegistry()));
    try (OtlpHttpServer server = OtlpHttpServer.start(new InetSocketAddress("127.0.0.1", 0), MAX_REQUEST_BYTES,
        Duration.ofSeconds(10), ingest)) {
      assertThat(limiter.tryAcquire()).isTrue(); // another request is being processed
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/metrics");
      byte[] body = gaugeRequest("up", point(FIXTURE_TIME.getEpochSecond(), 1)).toByteArray();

      HttpResponse<byte[]> refused = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(Status.parseFrom(refused.body()).getMessage())
          .isEqualTo("too many export requests in flight (limits.max_inflight_requests); retry after 1s");
      assertThat(store.seriesCount()).isZero();

      limiter.release();
      HttpResponse<byte[]> accepted = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(accepted.statusCode()).isEqualTo(200);
      assertThat(store.seriesCount()).isEqualTo(1);
    }
  }

  @Test
  void seriesOverTheLimit_areRejectedAndCountedWhileExistingSeriesUpdate() throws Exception {
    ServerConfig config = TestServers.loopbackConfig(dataDir.resolve("limited"))
        .withLimits(new ServerConfig.Limits(2, 1000, MAX_REQUEST_BYTES, 8));
    try (Tocsin limited = Tocsin.start(config, clock)) {
      long now = FIXTURE_TIME.getEpochSecond();
      URI uri = URI.create("http://127.0.0.1:" + limited.otlpHttpPort() + "/v1/metrics");
      HttpRequest first = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(gaugeRequest("a", point(now, 1)).toByteArray())).build();
      http.send(first, HttpResponse.BodyHandlers.ofByteArray());
      ExportMetricsServiceRequest more = ExportMetricsServiceRequest.newBuilder()
          .addResourceMetrics(gaugeRequest("b", point(now, 1)).getResourceMetrics(0))
          .addResourceMetrics(gaugeRequest("c", point(now, 1)).getResourceMetrics(0))
          .addResourceMetrics(gaugeRequest("a", point(now + 15, 2)).getResourceMetrics(0)).build();

      HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(more.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());

      assertThat(ExportMetricsServiceResponse.parseFrom(response.body()).getPartialSuccess().getErrorMessage())
          .isEqualTo("rejected 1 data point: 1 over the series limit (limits.max_series) (first in metric \"c\")");
      assertThat(limited.store().read("a", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(1, 2);
      assertThat(limited.store().metricNames()).containsExactly("a", "b");
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + limited.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains(
          "tocsin_otlp_points_rejected_total{reason=\"series_limit\",transport=\"http\"} 1.0",
          "tocsin_store_series 2.0",
          "tocsin_store_series_limit 2.0");
    }
  }

  @Test
  void selfMetrics_countPointsByOutcomeAndRequestsByTransport() throws Exception {
    post("application/json", fixture("bad-points.json"));
    post("text/plain", "x".getBytes());
    post("application/x-protobuf", new byte[] {0x0a, (byte) 0xff});

    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains(
        "tocsin_otlp_points_received_total{transport=\"http\"} 4.0",
        "tocsin_otlp_points_accepted_total{transport=\"http\"} 1.0",
        "tocsin_otlp_points_rejected_total{reason=\"missing_value\",transport=\"http\"} 1.0",
        "tocsin_otlp_points_rejected_total{reason=\"zero_timestamp\",transport=\"http\"} 1.0",
        "tocsin_otlp_points_rejected_total{reason=\"unspecified_temporality\",transport=\"http\"} 1.0",
        "tocsin_otlp_requests_total{outcome=\"partial\",transport=\"http\"} 1.0",
        "tocsin_otlp_requests_total{outcome=\"unsupported\",transport=\"http\"} 1.0",
        "tocsin_otlp_requests_total{outcome=\"invalid\",transport=\"http\"} 1.0",
        "tocsin_store_series 1.0");
  }
}
