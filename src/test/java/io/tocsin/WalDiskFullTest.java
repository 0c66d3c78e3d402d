package io.tocsin;

import static io.tocsin.testing.OtlpPoints.gauge;
import static io.tocsin.testing.OtlpPoints.point;
import static io.tocsin.testing.OtlpPoints.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.tocsin.store.wal.WalSettings;
import io.tocsin.testing.OtlpPoints;
import io.tocsin.testing.SmallDisk;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the write-ahead log: OTLP gets retry-later answers, the server stays up, and
 * ingest resumes by itself once there is room. The data directory is a {@link SmallDisk}.
 */
class WalDiskFullTest {
  private final MutableClock clock = MutableClock.at("2026-03-01T12:00:00Z");

  @TempDir
  Path dir;

  private SmallDisk disk;
  private Path mount;

  @BeforeEach
  void mountTmpfs() throws Exception {
    disk = SmallDisk.mount(dir.resolve("small-disk"), "WalDiskFullTest");
    mount = disk.path();
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      disk.close();
    }
  }

  private static HttpResponse<String> get(Tocsin tocsin, String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A point of temp{host="a"} and of 300 other hosts: tens of kilobytes of log records, more than
   * the room left in the pages the segment file already has.
   */
  private static ExportMetricsServiceRequest temp(long timeMs, double value) {
    NumberDataPoint.Builder[] points = new NumberDataPoint.Builder[301];
    points[0] = point(timeMs, value, "host", "a");
    for (int i = 1; i < points.length; i++) {
      points[i] = point(timeMs, value, "host", "other-" + i);
    }
    return request(gauge("temp", points));
  }

  @Test
  void fullDisk_otlpIsToldToRetry_andIngestResumesWhenSpaceFrees() throws Exception {
    WalSettings always = WalSettings.DEFAULT.withFsync(WalSettings.Fsync.ALWAYS);
    long t = clock.millis() - 60_000;
    try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(mount).withWal(always), clock, false)) {
      assertThat(OtlpPoints.post(tocsin.otlpHttpPort(), temp(t, 1)).statusCode()).isEqualTo(200);
      Path filler = disk.fill();

      HttpResponse<byte[]> refused = OtlpPoints.post(tocsin.otlpHttpPort(), temp(t + 1000, 2));
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(com.google.rpc.Status.parseFrom(refused.body()).getMessage())
          .startsWith("cannot log the data to disk (write-ahead log cannot write: No space left on device)");

      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", tocsin.otlpGrpcPort()).usePlaintext().build();
      try {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () ->
            MetricsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).export(temp(t + 2000, 3)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(StatusProto.fromThrowable(e).getDetailsList()).singleElement()
            .satisfies(any -> assertThat(any.unpack(RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(1));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      assertThat(get(tocsin, "/-/healthy").statusCode()).isEqualTo(200);
      assertThat(get(tocsin, "/metrics").body())
          .containsPattern("tocsin_otlp_requests_total\\{outcome=\"unavailable\",transport=\"http\"} [1-9]")
          .containsPattern("tocsin_otlp_requests_total\\{outcome=\"unavailable\",transport=\"grpc\"} [1-9]")
          .containsPattern("\ntocsin_wal_write_errors_total [1-9]");

      Files.delete(filler);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (OtlpPoints.post(tocsin.otlpHttpPort(), temp(t + 1000, 2)).statusCode() != 200) {
        assertThat(System.nanoTime()).as("ingest resumed in time").isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(OtlpPoints.post(tocsin.otlpHttpPort(), temp(t + 3000, 4)).statusCode()).isEqualTo(200);
    }

    try (Tocsin restarted = Tocsin.start(TestServers.loopbackConfig(mount).withWal(always), clock, false)) {
      // The refused request's point stayed in memory and in the log's buffer; it was logged once there was room.
      assertThat(restarted.store().read("temp", l -> "a".equals(l.get("host")), 0, Long.MAX_VALUE).get(0).values())
          .containsExactly(1, 2, 4);
    }
  }
}
