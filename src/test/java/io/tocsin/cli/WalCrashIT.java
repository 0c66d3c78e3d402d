package io.tocsin.cli;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static io.tocsin.testing.OtlpPoints.deltaCounter;
import static io.tocsin.testing.OtlpPoints.point;
import static io.tocsin.testing.OtlpPoints.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.tocsin.testing.AcknowledgingExporter;
import io.tocsin.testing.JarProcess;
import io.tocsin.testing.OtlpPoints;
import io.tocsin.testing.SdkClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of the packaged jar under continuous OTLP load, of raw pre-encoded OTLP/HTTP requests
 * or from the OpenTelemetry Java SDK: after the restart every acknowledged point is there. Each writer sends its requests one after another,
 * each with one increase of 1 for each of {@link #SERIES} series, so after the restart a writer's
 * total is exactly {@code SERIES ×} its acknowledged requests, plus at most the points of the one
 * request that was in flight at the kill (logged, but its answer never arrived).
 */
class WalCrashIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WRITERS = 4;
  private static final int SERIES = 20;
  private static final Pattern RECOVERED = Pattern.compile("recovered (\\d+) series and \\d+ samples from (\\d+) segments");

  @TempDir
  Path dir;

  private static int otlpHttpPort(JarProcess jar) {
    return jar.port("OTLP/HTTP");
  }

  /**
   * With {@code interval} too: an answer waits for the write, and a killed process loses nothing
   * it wrote (the kernel has it); only a machine crash can lose up to {@code fsync_interval}.
   */
  @ParameterizedTest
  @ValueSource(strings = {"{wal: {fsync: always}}", "{wal: {fsync: interval}}",
      "{wal: {fsync: always}, snapshot_interval: 1s}", "{wal: {fsync: always, segment_size: 64KiB}}"})
  void killedUnderLoad_everyAcknowledgedPointIsThereAfterRestart(String store) throws Exception {
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, """
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        rule_files: []
        store: %s
        """.formatted(store));
    // With a snapshot a second, the kill lands after (or while) snapshots are written under load,
    // and recovery goes through the newest snapshot that is complete plus the log after it.
    boolean snapshots = store.contains("snapshot_interval");
    // With 64KiB segments the log moves to a new file every ~150 requests, so the kill is likely
    // to land while one is being cut; either way recovery goes through many segment boundaries.
    int minSegments = store.contains("segment_size") ? 12 : 1;
    Path data = dir.resolve("data");
    int segmentsBeforeKill;
    long base = System.currentTimeMillis() - 120_000;
    int[] acknowledged = new int[WRITERS];
    AtomicInteger requestsAnswered = new AtomicInteger();
    try (JarProcess first = JarProcess.serve(config)) {
      int port = otlpHttpPort(first);
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Thread thread = new Thread(() -> {
          for (int k = 0; !stop.get(); k++) {
            NumberDataPoint.Builder[] points = new NumberDataPoint.Builder[SERIES];
            for (int s = 0; s < SERIES; s++) {
              points[s] = point(base + k, 1, "writer", "w" + writer, "series", "s" + s);
            }
            try {
              if (OtlpPoints.post(port, request(deltaCounter("acked", points))).statusCode() != 200) {
                return;
              }
              acknowledged[writer] = k + 1;
              requestsAnswered.incrementAndGet();
            } catch (Exception e) {
              return; // the process is gone
            }
          }
        });
        thread.start();
        writers.add(thread);
      }
      long deadline = System.nanoTime() + 20_000_000_000L;
      while ((requestsAnswered.get() < 300 || snapshots && !hasSnapshot(data) || segments(data) < minSegments)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      segmentsBeforeKill = segments(data);
      first.kill(); // mid-load: requests are in flight
      stop.set(true);
      for (Thread thread : writers) {
        thread.join(20_000);
      }
    }
    assertThat(requestsAnswered.get()).as("load before the kill").isGreaterThanOrEqualTo(300);
    assertThat(segmentsBeforeKill).as("log segments before the kill").isGreaterThanOrEqualTo(minSegments);

    try (JarProcess second = JarProcess.serve(config)) {
      Map<String, Double> totals = totalsByWriter(second);
      for (int w = 0; w < WRITERS; w++) {
        assertThat(totals.getOrDefault("w" + w, 0.0)).as("points of writer w%d, %d requests acknowledged", w,
            acknowledged[w]).isBetween((double) SERIES * acknowledged[w], (double) SERIES * (acknowledged[w] + 1));
      }
      if (snapshots) {
        assertThat(second.lines()).anyMatch(l -> l.contains("loaded snapshot "));
      } else {
        String recovered = second.lines().stream().filter(l -> l.contains("write-ahead log: recovered ")).findFirst()
            .orElseThrow();
        Matcher m = RECOVERED.matcher(recovered);
        assertThat(m.find()).as(recovered).isTrue();
        assertThat(Integer.parseInt(m.group(1))).as(recovered).isEqualTo(WRITERS * SERIES);
        // The newest segment may hold only its header at the kill: replay removes it uncounted.
        assertThat(Integer.parseInt(m.group(2))).as(recovered).isGreaterThanOrEqualTo(segmentsBeforeKill - 1);
      }
      second.terminate();
    }
  }

  /**
   * The same with the OpenTelemetry Java SDK as the client: each writer has its own meter
   * provider with a delta counter, adds to it and flushes, one export after another (half over
   * gRPC, half over HTTP). Each export's values are counted as acknowledged when its result
   * succeeded; after the restart a writer's stored total is at least that and at most that plus
   * the export that had no answer when the process died.
   */
  @Test
  void killedUnderSdkLoad_everyAcknowledgedExportIsThereAfterRestart() throws Exception {
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, """
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        rule_files: []
        store: {wal: {fsync: always}}
        """);
    AcknowledgingExporter[] exporters = new AcknowledgingExporter[WRITERS];
    try (JarProcess first = JarProcess.serve(config)) {
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      List<SdkMeterProvider> providers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        exporters[w] = new AcknowledgingExporter(sdkExporter(first, w % 2 == 0), "acked");
        SdkClock clock = new SdkClock(System.currentTimeMillis() - 120_000);
        SdkMeterProvider provider = SdkMeterProvider.builder().setClock(clock)
            .registerMetricReader(PeriodicMetricReader.builder(exporters[w]).setInterval(Duration.ofHours(1)).build())
            .build();
        providers.add(provider);
        LongCounter counter = provider.get("crash").counterBuilder("acked").build();
        Attributes[] series = new Attributes[SERIES];
        for (int s = 0; s < SERIES; s++) {
          series[s] = Attributes.of(stringKey("writer"), "w" + w, stringKey("series"), "s" + s);
        }
        Thread thread = new Thread(() -> {
          for (int k = 0; !stop.get(); k++) {
            for (int s = 0; s < SERIES; s++) {
              counter.add(1 + (k + s) % 5, series[s]);
            }
            clock.advance(Duration.ofMillis(1)); // each export's points get their own timestamp
            if (!provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()) {
              return; // the process is gone
            }
          }
        });
        thread.start();
        writers.add(thread);
      }
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (Arrays.stream(exporters).mapToInt(AcknowledgingExporter::acknowledgedExports).sum() < 300
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      first.kill(); // mid-load: exports are in flight
      stop.set(true);
      for (Thread thread : writers) {
        thread.join(20_000);
      }
      for (int w = 0; w < WRITERS; w++) {
        // A writer stops at its first export without an answer.
        assertThat(exporters[w].unacknowledgedExports()).as("unanswered exports of writer w%d", w)
            .isLessThanOrEqualTo(1);
      }
      providers.forEach(SdkMeterProvider::close);
    }
    assertThat(Arrays.stream(exporters).mapToInt(AcknowledgingExporter::acknowledgedExports).sum())
        .as("exports acknowledged before the kill").isGreaterThanOrEqualTo(300);

    try (JarProcess second = JarProcess.serve(config)) {
      Map<String, Double> totals = totalsByWriter(second);
      for (int w = 0; w < WRITERS; w++) {
        AcknowledgingExporter exporter = exporters[w];
        assertThat(totals.getOrDefault("w" + w, 0.0)).as("total of writer w%d, %d exports acknowledged", w,
                exporter.acknowledgedExports())
            .isBetween((double) exporter.acknowledgedSum(),
                (double) exporter.acknowledgedSum() + exporter.unacknowledgedSum());
      }
      // The SDK also exports its own otel.sdk.metric_reader.collection.duration histogram.
      assertThat(recoveredSeries(second)).isGreaterThan(WRITERS * SERIES);
      second.terminate();
    }
  }

  private static int recoveredSeries(JarProcess jar) {
    String line = jar.lines().stream().filter(l -> l.contains("write-ahead log: recovered ")).findFirst().orElseThrow();
    Matcher m = RECOVERED.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return Integer.parseInt(m.group(1));
  }

  /** No retries: the export in flight at the kill fails at once instead of backing off for seconds. */
  private static MetricExporter sdkExporter(JarProcess jar, boolean grpc) {
    if (grpc) {
      return OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + jar.grpcPort())
          .setAggregationTemporalitySelector(AggregationTemporalitySelector.deltaPreferred())
          .setRetryPolicy(null).build();
    }
    return OtlpHttpMetricExporter.builder().setEndpoint("http://127.0.0.1:" + otlpHttpPort(jar) + "/v1/metrics")
        .setAggregationTemporalitySelector(AggregationTemporalitySelector.deltaPreferred())
        .setRetryPolicy(null).build();
  }

  private static int segments(Path dataDir) throws IOException {
    Path wal = dataDir.resolve("wal");
    if (!Files.isDirectory(wal)) {
      return 0;
    }
    try (var files = Files.list(wal)) {
      return (int) files.filter(p -> p.getFileName().toString().endsWith(".seg")).count();
    }
  }

  private static boolean hasSnapshot(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      return false;
    }
    try (var files = Files.list(dataDir)) {
      return files.anyMatch(p -> p.getFileName().toString().matches("snapshot-\\d+"));
    }
  }

  private static Map<String, Double> totalsByWriter(JarProcess jar) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + jar.httpPort() + "/api/v1/query"))
        .POST(HttpRequest.BodyPublishers.ofString("""
            {"metrics": ["acked as $a"], "query": ["group by writer", "$a as n"], "interval": "1m", "range": "10m"}"""))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Map<String, Double> totals = new HashMap<>();
    for (JsonNode group : JSON.readTree(response.body()).get("groups")) {
      double sum = 0;
      for (JsonNode bucket : group.get("columns").get("n")) {
        sum += bucket.get(1).asDouble();
      }
      totals.put(group.get("labels").get("writer").asText(), sum);
    }
    return totals;
  }
}
