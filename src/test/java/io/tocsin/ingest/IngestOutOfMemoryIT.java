package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.tocsin.testing.JarProcess;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real OutOfMemoryError while a request is inflated, in the packaged jar with a small heap:
 * the request fails alone and gives its in-flight permit back, more times than there are
 * permits, and both transports then still take exports.
 */
class IngestOutOfMemoryIT {
  private static final int PERMITS = 2;

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void outOfMemoryWhileInflating_releasesThePermitAndIsCountedAsAnError() throws Exception {
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, """
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        limits: {max_request_bytes: 1GiB, max_inflight_requests: %d}
        """.formatted(PERMITS));
    // 400 MiB of zeros inflate past the 96 MiB heap; the limit (1 GiB) is never reached.
    byte[] bomb = gzippedZeros(400 << 20);
    try (JarProcess jar = JarProcess.serve(config, Map.of("JAVA_TOOL_OPTIONS", "-Xmx96m"))) {
      URI otlp = URI.create("http://127.0.0.1:" + jar.port("OTLP/HTTP") + "/v1/metrics");
      int failures = PERMITS * 3;
      for (int i = 0; i < failures; i++) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(otlp)
            .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "gzip")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bomb)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("bomb %d", i).isEqualTo(500);
      }

      byte[] valid = gauge("up").toByteArray();
      HttpResponse<byte[]> viaHttp = http.send(HttpRequest.newBuilder(otlp)
          .header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(valid)).build(), HttpResponse.BodyHandlers.ofByteArray());
      assertThat(viaHttp.statusCode()).isEqualTo(200);
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", jar.grpcPort()).usePlaintext().build();
      try {
        ExportMetricsServiceResponse viaGrpc = MetricsServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(30, TimeUnit.SECONDS).export(gauge("ready"));
        assertThat(viaGrpc).isEqualTo(ExportMetricsServiceResponse.getDefaultInstance());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jar.httpPort() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains(
          "tocsin_otlp_requests_total{outcome=\"error\",transport=\"http\"} " + failures + ".0",
          "tocsin_otlp_requests_total{outcome=\"ok\",transport=\"http\"} 1.0",
          "tocsin_otlp_requests_total{outcome=\"ok\",transport=\"grpc\"} 1.0");
    }
  }

  private static byte[] gzippedZeros(int length) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] zeros = new byte[1 << 20];
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      for (int written = 0; written < length; written += zeros.length) {
        gzip.write(zeros);
      }
    }
    return out.toByteArray();
  }

  private static ExportMetricsServiceRequest gauge(String name) {
    NumberDataPoint point = NumberDataPoint.newBuilder()
        .setTimeUnixNano(TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis())).setAsDouble(1).build();
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName(name)
            .setGauge(Gauge.newBuilder().addDataPoints(point))))).build();
  }
}
