package io.tocsin.ingest;

import static io.tocsin.testing.RemoteWriteRequests.labels;
import static io.tocsin.testing.RemoteWriteRequests.metadata;
import static io.tocsin.testing.RemoteWriteRequests.post;
import static io.tocsin.testing.RemoteWriteRequests.request;
import static io.tocsin.testing.RemoteWriteRequests.series;
import static io.tocsin.testing.RemoteWriteRequests.snappy;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.ingest.prompb.Label;
import io.tocsin.ingest.prompb.MetricMetadata.MetricType;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.ingest.prompb.WriteRequest;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.HistogramBuckets;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesBuckets;
import io.tocsin.store.SeriesSamples;
import io.tocsin.store.StaleMarker;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.Secret;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** Prometheus remote write into a real Tocsin over HTTP: kinds, resets, every bad input, the token. */
class RemoteWriteReceiverTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final long T = NOW.toEpochMilli() - 60_000;
  private static final long MAX_REQUEST_BYTES = 64 * 1024;

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(NOW);
  private Tocsin tocsin;

  @AfterEach
  void stop() {
    if (tocsin != null) {
      tocsin.close();
    }
  }

  private String start(ServerConfig.Api api, Map<String, MetricKind> kinds) throws Exception {
    ServerConfig config = TestServers.loopbackConfig(dataDir)
        .withLimits(new ServerConfig.Limits(1000, 1000, MAX_REQUEST_BYTES, 8))
        .withApi(api).withRemoteWriteKinds(kinds);
    tocsin = Tocsin.start(config, clock, false);
    return "http://127.0.0.1:" + tocsin.httpPort();
  }

  private String start() throws Exception {
    return start(ServerConfig.Api.OPEN, Map.of());
  }

  private List<SeriesSamples> read(String metric) {
    return tocsin.store().read(metric, labels -> true, 0, Long.MAX_VALUE);
  }

  private double[] values(String metric) {
    List<SeriesSamples> series = read(metric);
    assertThat(series).as(metric).hasSize(1);
    return series.get(0).values();
  }

  @Test
  void samples_storedWithKindsFromSuffixes() throws Exception {
    String url = start();
    HttpResponse<String> response = post(url, request(
        series("redis_up", labels("instance", "r1:9121", "job", "redis"), T, 1, T + 1000, 0),
        series("redis_keyspace_hits_total", labels("instance", "r1:9121"), T, 100, T + 1000, 130),
        series("http_request_duration_seconds_count", labels(), T, 10, T + 1000, 12),
        series("http_request_duration_seconds_sum", labels(), T, 1.5, T + 1000, 2.0)));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    assertThat(response.body()).isEmpty();
    assertThat(tocsin.store().kindOf("redis_up")).isEqualTo(MetricKind.GAUGE);
    assertThat(read("redis_up").get(0).labels()).isEqualTo(Labels.of("instance", "r1:9121", "job", "redis"));
    assertThat(values("redis_up")).containsExactly(1, 0);
    // Cumulative counters become increases; the first sample of a series only starts it.
    assertThat(tocsin.store().kindOf("redis_keyspace_hits_total")).isEqualTo(MetricKind.COUNTER);
    assertThat(values("redis_keyspace_hits_total")).containsExactly(0, 30);
    assertThat(tocsin.store().kindOf("http_request_duration_seconds_count")).isEqualTo(MetricKind.COUNTER);
    assertThat(values("http_request_duration_seconds_count")).containsExactly(0, 2);
    assertThat(tocsin.store().kindOf("http_request_duration_seconds_sum")).isEqualTo(MetricKind.COUNTER);
    assertThat(values("http_request_duration_seconds_sum")).containsExactly(0, 0.5);
  }

  @Test
  void samples_surviveARestartThroughTheWriteAheadLog() throws Exception {
    String url = start();
    assertThat(post(url, request(series("requests_total", labels("node", "a"), T, 10, T + 1000, 15))).statusCode())
        .isEqualTo(204);
    tocsin.close();

    url = start();
    assertThat(values("requests_total")).containsExactly(0, 5);
    // The counter's last value came back with it: the next sample's increase is against it.
    assertThat(post(url, request(series("requests_total", labels("node", "a"), T + 2000, 18))).statusCode())
        .isEqualTo(204);
    assertThat(values("requests_total")).containsExactly(0, 5, 3);
  }

  @Test
  void counterReset_countsTheNewValueAsTheIncrease() throws Exception {
    String url = start();
    // The target restarted between the second and third scrape: its counter began again at 0.
    HttpResponse<String> response = post(url, request(
        series("requests_total", labels(), T, 10, T + 1000, 15, T + 2000, 3, T + 3000, 5)));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    assertThat(values("requests_total")).containsExactly(0, 5, 3, 2);
  }

  @Test
  void metadataAndOverrides_winOverSuffixes() throws Exception {
    String url = start(ServerConfig.Api.OPEN, Map.of("queue_depth_total", MetricKind.GAUGE,
        "errors", MetricKind.COUNTER));
    // Prometheus sends metadata in requests of its own: it is remembered for later requests.
    WriteRequest metadataOnly = WriteRequest.newBuilder()
        .addMetadata(metadata("jobs_done", MetricType.COUNTER))
        .addMetadata(metadata("temperature_sum", MetricType.GAUGE))
        .build();
    assertThat(post(url, metadataOnly).statusCode()).isEqualTo(204);
    HttpResponse<String> response = post(url, request(
        series("jobs_done", labels(), T, 4, T + 1000, 6),
        series("temperature_sum", labels(), T, 20, T + 1000, 19),
        series("queue_depth_total", labels(), T, 7, T + 1000, 3),
        series("errors", labels(), T, 1, T + 1000, 4)));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    assertThat(tocsin.store().kindOf("jobs_done")).isEqualTo(MetricKind.COUNTER);
    assertThat(values("jobs_done")).containsExactly(0, 2);
    assertThat(tocsin.store().kindOf("temperature_sum")).isEqualTo(MetricKind.GAUGE);
    assertThat(values("temperature_sum")).containsExactly(20, 19);
    assertThat(tocsin.store().kindOf("queue_depth_total")).isEqualTo(MetricKind.GAUGE);
    assertThat(values("queue_depth_total")).containsExactly(7, 3);
    assertThat(tocsin.store().kindOf("errors")).isEqualTo(MetricKind.COUNTER);
    assertThat(values("errors")).containsExactly(0, 3);
  }

  @Test
  void metadataInTheSameRequest_appliesToItsSeries() throws Exception {
    String url = start();
    WriteRequest request = request(series("build_info", labels("version", "1.2"), T, 1)).toBuilder()
        .addMetadata(metadata("build_info", MetricType.GAUGE))
        .addMetadata(metadata("cache_total", MetricType.GAUGE))
        .addTimeseries(series("cache_total", labels(), T, 9))
        .build();

    assertThat(post(url, request).statusCode()).isEqualTo(204);
    assertThat(tocsin.store().kindOf("cache_total")).isEqualTo(MetricKind.GAUGE);
    assertThat(values("cache_total")).containsExactly(9);
  }

  @Test
  void metadataChangingAKind_ofSeriesTheConnectionWrote_refusesTheirNextSamples() throws Exception {
    String url = start();
    // Twice on one connection, which then finds "jobs" (a gauge by its name) by the bytes of its labels.
    assertThat(post(url, request(series("jobs", labels("node", "a"), T, 1))).statusCode()).isEqualTo(204);
    assertThat(post(url, request(series("jobs", labels("node", "a"), T + 1000, 2))).statusCode()).isEqualTo(204);
    assertThat(post(url, WriteRequest.newBuilder().addMetadata(metadata("jobs", MetricType.COUNTER)).build())
        .statusCode()).isEqualTo(204);

    HttpResponse<String> response = post(url, request(series("jobs", labels("node", "a"), T + 2000, 3)));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("rejected 1 data point: 1 of a metric that already exists with another kind"
        + " (first in metric \"jobs\"); the other 0 were stored\n");
    assertThat(values("jobs")).containsExactly(1, 2);
  }

  @Test
  void seriesEvicted_afterTheConnectionWroteIt_isCreatedAgainByItsNextSample() throws Exception {
    String url = start();
    assertThat(post(url, request(series("temperature", labels("room", "a"), T, 20))).statusCode()).isEqualTo(204);
    assertThat(post(url, request(series("temperature", labels("room", "a"), T + 1000, 21))).statusCode())
        .isEqualTo(204);
    clock.advance(Duration.ofHours(2));
    assertThat(tocsin.store().evictExpired()).isEqualTo(1);
    long later = clock.millis() - 1000;

    HttpResponse<String> response = post(url, request(series("temperature", labels("room", "a"), later, 22)));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    assertThat(read("temperature")).hasSize(1);
    assertThat(read("temperature").get(0).timesMs()).containsExactly(later);
    assertThat(values("temperature")).containsExactly(22);
  }

  @Test
  void bucketSeries_becomeOneHistogramOfTheBaseName() throws Exception {
    String url = start();
    HttpResponse<String> response = post(url, request(
        series("latency_seconds_bucket", labels("le", "0.1", "route", "/"), T, 1, T + 60_000, 3),
        series("latency_seconds_bucket", labels("le", "1", "route", "/"), T, 2, T + 60_000, 7),
        series("latency_seconds_bucket", labels("le", "+Inf", "route", "/"), T, 2, T + 60_000, 8)));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    assertThat(tocsin.store().kindOf("latency_seconds")).isEqualTo(MetricKind.HISTOGRAM);
    List<HistogramBuckets> histograms = tocsin.store().readHistogramBuckets("latency_seconds", labels -> true,
        new BucketGrid(T - T % 60_000, 60_000, 3));
    assertThat(histograms).hasSize(1);
    assertThat(histograms.get(0).labels()).isEqualTo(Labels.of("route", "/"));
    HistogramSample second = histograms.get(0).buckets()[1];
    // Per-bucket increases from the first scrape to the second: (0, 0.1]: 2, (0.1, 1]: 3, (1, +Inf): 1.
    assertThat(second.bounds()).containsExactly(0.1, 1);
    assertThat(second.counts()).containsExactly(2, 3, 1);
    assertThat(second.count()).isEqualTo(6);
  }

  @Test
  void bucketsWithoutInf_areRefusedAsIncomplete() throws Exception {
    String url = start();
    HttpResponse<String> response = post(url, request(
        series("latency_seconds_bucket", labels("le", "0.1"), T, 1),
        series("latency_seconds_bucket", labels("le", "1"), T, 2),
        series("up", labels(), T, 1)));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("rejected 2 data points: 2 of a histogram whose buckets did not all arrive "
        + "in one request (no le=\"+Inf\" bucket) (first in metric \"latency_seconds_bucket\"); the other 1 was stored\n");
    assertThat(values("up")).containsExactly(1);
  }

  @Test
  void staleMarker_endsTheSeries() throws Exception {
    String url = start();
    double staleNaN = StaleMarker.VALUE;
    HttpResponse<String> response = post(url, request(
        series("redis_up", labels(), T, 1, T + 1000, staleNaN),
        series("hits_total", labels(), T, 5, T + 1000, staleNaN, T + 2000, 2)));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    // The gauge has a value in the first second, none in the next.
    List<SeriesBuckets> up = tocsin.store().readBuckets("redis_up", l -> true, new BucketGrid(T, 1000, 2));
    assertThat(up.get(0).values()[0]).isEqualTo(1);
    assertThat(up.get(0).values()[1]).isNaN();
    // After a stale marker a counter starts again: its first sample only starts it, no reset of 2.
    assertThat(values("hits_total")).containsExactly(0, 0);
  }

  @Test
  void outOfOrderSamples_refusedWithTheReason_goodSamplesKept() throws Exception {
    String url = start();
    HttpResponse<String> response = post(url, request(
        series("redis_up", labels("node", "a"), T + 2000, 1, T + 1000, 0, T + 3000, 1),
        series("redis_up", labels("node", "b"), T, 1)));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain;charset=utf-8");
    assertThat(response.body()).isEqualTo("rejected 1 data point: 1 at or before the last sample of their series "
        + "(first in metric \"redis_up\"); the other 3 were stored\n");
    assertThat(tocsin.store().read("redis_up", l -> l.get("node").equals("a"), 0, Long.MAX_VALUE).get(0).values())
        .containsExactly(1, 1);
    assertThat(tocsin.store().read("redis_up", l -> l.get("node").equals("b"), 0, Long.MAX_VALUE)).hasSize(1);
  }

  @Test
  void badLabelName_refusedByName() throws Exception {
    String url = start();
    TimeSeries bad = series("redis_up", labels(), T, 1).toBuilder()
        .addLabels(Label.newBuilder().setName("host-name").setValue("x")).build();
    HttpResponse<String> response = post(url, request(bad, series("redis_up", labels("node", "ok"), T, 1),
        series("9lives", labels(), T, 1)));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("rejected 2 data points: 2 with a metric or label name that is not a "
        + "Prometheus name ([a-zA-Z_][a-zA-Z0-9_]*) (first in metric \"redis_up\", label name \"host-name\"); "
        + "the other 1 was stored\n");
    assertThat(read("redis_up")).extracting(SeriesSamples::labels).containsExactly(Labels.of("node", "ok"));
  }

  @Test
  void seriesOverTheLimit_refused() throws Exception {
    String url = start();
    TimeSeries[] many = new TimeSeries[1001];
    for (int i = 0; i < many.length; i++) {
      many[i] = series("per_node", labels("node", "n" + i), T, i);
    }
    HttpResponse<String> response = post(url, request(many));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("rejected 1 data point: 1 over the series limit (limits.max_series) "
        + "(first in metric \"per_node\"); the other 1000 were stored\n");
  }

  @Test
  void notSnappy_is400() throws Exception {
    String url = start();
    byte[] plain = request(series("up", labels(), T, 1)).toByteArray();
    HttpResponse<String> response = post(url, plain, "application/x-protobuf", "snappy", null);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).startsWith("request body is not snappy-compressed (block format): ");
    assertThat(tocsin.store().seriesCount()).isZero();
  }

  @Test
  void badProtobuf_is400() throws Exception {
    String url = start();
    byte[] garbage = Snappy.compress(new byte[] {0x0a, 0x7f, 0x01});
    HttpResponse<String> response = post(url, garbage, "application/x-protobuf", "snappy", null);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("request body is not a valid protobuf WriteRequest: While parsing a "
        + "protocol message, the input ended unexpectedly in the middle of a field.  This could mean either that "
        + "the input has been truncated or that an embedded message misreported its own length.\n");
  }

  @Test
  void missingOrWrongContentType_is415() throws Exception {
    String url = start();
    byte[] body = snappy(request(series("up", labels(), T, 1)));

    HttpResponse<String> missing = post(url, body, null, "snappy", null);
    assertThat(missing.statusCode()).isEqualTo(415);
    assertThat(missing.body()).isEqualTo("unsupported Content-Type none; remote write 1.0 sends application/x-protobuf\n");
    HttpResponse<String> json = post(url, body, "application/json", "snappy", null);
    assertThat(json.statusCode()).isEqualTo(415);
    assertThat(json.body())
        .isEqualTo("unsupported Content-Type \"application/json\"; remote write 1.0 sends application/x-protobuf\n");
    HttpResponse<String> v2 = post(url, body, "application/x-protobuf;proto=io.prometheus.write.v2.Request",
        "snappy", null);
    assertThat(v2.statusCode()).isEqualTo(415);
    assertThat(v2.body()).isEqualTo("remote write 2.0 (io.prometheus.write.v2.Request) is not supported; "
        + "send remote write 1.0 (protobuf_message: prometheus.WriteRequest)\n");
    assertThat(tocsin.store().seriesCount()).isZero();
  }

  @Test
  void wrongContentEncoding_is415() throws Exception {
    String url = start();
    byte[] body = snappy(request(series("up", labels(), T, 1)));

    HttpResponse<String> gzip = post(url, body, "application/x-protobuf", "gzip", null);
    assertThat(gzip.statusCode()).isEqualTo(415);
    assertThat(gzip.body()).isEqualTo("unsupported Content-Encoding \"gzip\"; remote write sends snappy\n");
    HttpResponse<String> none = post(url, body, "application/x-protobuf", null, null);
    assertThat(none.statusCode()).isEqualTo(415);
    assertThat(none.body()).isEqualTo("unsupported Content-Encoding none; remote write sends snappy\n");
  }

  @Test
  void bodyOverTheLimit_is413() throws Exception {
    String url = start();
    byte[] random = new byte[(int) MAX_REQUEST_BYTES + 1];
    new Random(1).nextBytes(random);

    HttpResponse<String> response = post(url, random, "application/x-protobuf", "snappy", null);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body())
        .isEqualTo("request body of 65537 bytes exceeds limits.max_request_bytes (65536)\n");
  }

  @Test
  void declaredDecompressedSizeOverTheLimit_is413BeforeInflating() throws Exception {
    String url = start();
    // A snappy block starts with its uncompressed length as a varint: here 1 GiB, then a few bytes.
    byte[] bomb = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04, 0x00, 0x61};
    HttpResponse<String> response = post(url, bomb, "application/x-protobuf", "snappy", null);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).isEqualTo(
        "decompressed request body of 1073741824 bytes exceeds limits.max_request_bytes (65536)\n");

    // A real request that inflates past the limit is refused the same way.
    double[] samples = DoubleStream.generate(() -> T).limit(40_000).flatMap(t -> DoubleStream.of(t, 1)).toArray();
    byte[] body = snappy(request(series("up", labels(), samples)));
    assertThat(body.length).isLessThan((int) MAX_REQUEST_BYTES);
    HttpResponse<String> inflated = post(url, body, "application/x-protobuf", "snappy", null);
    assertThat(inflated.statusCode()).isEqualTo(413);
    assertThat(inflated.body()).startsWith("decompressed request body of ");
    assertThat(tocsin.store().seriesCount()).isZero();
  }

  @Test
  void slowBody_cutOffAtTheReadTimeout_holdingNoPermit() throws Exception {
    ServerConfig config = TestServers.loopbackConfig(dataDir)
        .withLimits(new ServerConfig.Limits(1000, 1000, MAX_REQUEST_BYTES, 1).withRequestReadTimeout(Duration.ofSeconds(1)));
    tocsin = Tocsin.start(config, clock, false);
    try (Socket slow = new Socket("127.0.0.1", tocsin.httpPort())) {
      slow.setSoTimeout(15_000);
      slow.getOutputStream().write(("POST /api/v1/write HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\nContent-Length: 1000\r\n"
          + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      BufferedReader in = new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
      slow.getOutputStream().write(new byte[] {0x0a, 0x01});

      // The only in-flight permit is free while the slow body arrives.
      HttpResponse<String> other = post("http://127.0.0.1:" + tocsin.httpPort(), request(series("up", labels(), T, 1)));
      assertThat(other.statusCode()).isEqualTo(204);

      in.readLine(); // the blank line after 100 Continue
      assertThat(in.readLine()).isEqualTo("HTTP/1.1 408 Request Timeout");
      String line;
      do {
        line = in.readLine();
      } while (!line.isEmpty());
      assertThat(in.readLine()).isEqualTo("request body not received within limits.request_read_timeout (1s)");
    }
  }

  @Test
  void token_requiredWhenSet() throws Exception {
    String url = start(new ServerConfig.Api(Secret.of("s3cret"), false), Map.of());
    byte[] body = snappy(request(series("up", labels(), T, 1)));

    HttpResponse<String> without = post(url, body, "application/x-protobuf", "snappy", null);
    assertThat(without.statusCode()).isEqualTo(401);
    assertThat(without.body()).isEqualTo("{\"error\":\"this endpoint needs Authorization: Bearer <api.token>\"}");
    HttpResponse<String> wrong = post(url, body, "application/x-protobuf", "snappy", "guess");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(tocsin.store().seriesCount()).isZero();
    HttpResponse<String> right = post(url, body, "application/x-protobuf", "snappy", "s3cret");
    assertThat(right.statusCode()).isEqualTo(204);
    assertThat(values("up")).containsExactly(1);
  }

  @Test
  void outcomes_countedInSelfMetrics() throws Exception {
    String url = start();
    post(url, request(series("up", labels(), T, 1)));
    post(url, request(series("up", labels(), T - 1000, 1)));
    post(url, new byte[] {1, 2, 3}, "application/x-protobuf", "snappy", null);

    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("tocsin_otlp_requests_total{outcome=\"ok\",transport=\"remote_write\"} 1.0")
        .contains("tocsin_otlp_requests_total{outcome=\"partial\",transport=\"remote_write\"} 1.0")
        .contains("tocsin_otlp_requests_total{outcome=\"invalid\",transport=\"remote_write\"} 1.0")
        .contains("tocsin_otlp_points_rejected_total{reason=\"out_of_order\",transport=\"remote_write\"} 1.0")
        .contains("tocsin_otlp_points_accepted_total{transport=\"remote_write\"} 1.0");
  }

  /**
   * One cycle of a sender on one connection: series 0 to {@code count} of metric "cached" (labels of
   * about 430 bytes, so that a 4 MiB share holds about 9,000), one sample each at {@code time}, in
   * requests of 2,000.
   */
  private static void sendCycle(String url, int count, long time) throws Exception {
    String pad = "p".repeat(400);
    for (int from = 0; from < count; from += 2000) {
      WriteRequest.Builder request = WriteRequest.newBuilder();
      for (int i = from; i < Math.min(count, from + 2000); i++) {
        request.addTimeseries(series("cached", labels("i", Integer.toString(i), "pad", pad), time, i));
      }
      assertThat(post(url, request.build()).statusCode()).isEqualTo(204);
    }
  }

  private static long senderSeriesBytes(String url) throws Exception {
    String metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    String name = "tocsin_remote_write_sender_series_bytes ";
    return metrics.lines().filter(l -> l.startsWith(name))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(name.length()))).findFirst().orElseThrow();
  }

  private String startForCycles() throws Exception {
    ServerConfig config = TestServers.loopbackConfig(dataDir)
        .withLimits(new ServerConfig.Limits(100_000, 100_000, 4 << 20, 8));
    tocsin = Tocsin.start(config, clock, false);
    return "http://127.0.0.1:" + tocsin.httpPort();
  }

  @Test
  void senderWhoseCycleDoesNotFitItsShare_holdsNoSeriesForIt_andDoesNotFillItAgain() throws Exception {
    String url = startForCycles();
    sendCycle(url, 20_000, T); // creates the series
    sendCycle(url, 20_000, T + 1000); // finds them in the store, remembers as many as its share holds
    assertThat(senderSeriesBytes(url)).isGreaterThan(3 << 20);

    // The hit rate is checked every 65,536 series: the first check sees the share fill, the second finds
    // fewer than three quarters of the series in it.
    for (int cycle = 2; cycle < 8; cycle++) {
      sendCycle(url, 20_000, T + cycle * 1000);
    }
    assertThat(senderSeriesBytes(url)).isZero();
    for (int cycle = 8; cycle < 15; cycle++) { // two more checks
      sendCycle(url, 20_000, T + cycle * 1000);
      assertThat(senderSeriesBytes(url)).as("after cycle %d", cycle).isZero();
    }
    assertThat(tocsin.store().read("cached", labels -> true, 0, Long.MAX_VALUE))
        .hasSize(20_000).allSatisfy(series -> assertThat(series.values()).hasSize(15));
  }

  @Test
  void senderWhoseCycleFitsItsShare_keepsItsSeries() throws Exception {
    String url = startForCycles();
    sendCycle(url, 4_000, T);
    sendCycle(url, 4_000, T + 1000);
    long held = senderSeriesBytes(url);
    assertThat(held).isPositive();

    for (int cycle = 2; cycle < 36; cycle++) { // 136,000 series more: two checks of the hit rate
      sendCycle(url, 4_000, T + cycle * 1000);
    }

    assertThat(senderSeriesBytes(url)).isEqualTo(held);
  }
}
