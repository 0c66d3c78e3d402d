package io.tocsin;

import static io.tocsin.testing.OtlpPoints.counter;
import static io.tocsin.testing.OtlpPoints.gauge;
import static io.tocsin.testing.OtlpPoints.histogram;
import static io.tocsin.testing.OtlpPoints.histogramPoint;
import static io.tocsin.testing.OtlpPoints.point;
import static io.tocsin.testing.OtlpPoints.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.config.HostPort;
import io.tocsin.config.ServerConfig;
import io.tocsin.ingest.WriterStates;
import io.tocsin.store.CounterSeries;
import io.tocsin.store.CounterState;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.StoreSettings;
import io.tocsin.store.wal.WalMetrics;
import io.tocsin.store.wal.WriteAheadLog;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.wal.WalSettings;
import io.tocsin.testing.OtlpPoints;
import io.tocsin.testing.StoreDump;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store across a restart, written and read through the real OTLP listener and store API. */
class DurableStoreTest {
  private final MutableClock clock = MutableClock.at("2026-03-01T12:00:00Z");
  private final long start = clock.millis() - 3_600_000; // the counters' streams began before the receiver

  @TempDir
  Path dataDir;

  private Tocsin start(WalSettings wal) throws Exception {
    return Tocsin.start(TestServers.loopbackConfig(dataDir).withWal(wal), clock, false);
  }

  private long at(int secondsBeforeNoon) {
    return clock.millis() - secondsBeforeNoon * 1000L;
  }

  private void post(Tocsin tocsin, io.opentelemetry.proto.metrics.v1.Metric... metrics) throws Exception {
    assertThat(OtlpPoints.post(tocsin.otlpHttpPort(), request(metrics)).statusCode()).isEqualTo(200);
  }

  private void writeBeforeRestart(Tocsin tocsin) throws Exception {
    post(tocsin, gauge("temp", point(at(120), 1.5, "host", "a"), point(at(90), 2.5, "host", "a")),
        gauge("temp", point(at(120), 7, "host", "b"), point(at(90), 0, "host", "b").setFlags(1)),
        counter("hits", point(at(120), 100, "route", "/x").setStartTimeUnixNano(start * 1_000_000),
            point(at(90), 110, "route", "/x").setStartTimeUnixNano(start * 1_000_000)),
        histogram("latency", histogramPoint(start, at(120), 10, 1, 2, 3), histogramPoint(start, at(90), 20, 2, 3, 4)));
  }

  private void writeAfterRestart(Tocsin tocsin) throws Exception {
    post(tocsin, counter("hits", point(at(30), 125, "route", "/x").setStartTimeUnixNano(start * 1_000_000)),
        histogram("latency", histogramPoint(start, at(30), 26, 3, 3, 5)));
  }

  private static String metrics(Tocsin tocsin) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double[] hits(SeriesStore store) {
    return store.read("hits", l -> true, 0, Long.MAX_VALUE).get(0).values();
  }

  private static List<double[]> latencyCounts(SeriesStore store) {
    List<double[]> counts = new ArrayList<>();
    store.scanHistograms("latency", l -> true, 0, Long.MAX_VALUE, (labels, times, samples, n) -> {
      for (int i = 0; i < n; i++) {
        HistogramSample h = samples[i];
        counts.add(h.counts());
      }
    });
    return counts;
  }

  @Test
  void restart_readsTheSameSamples_andCumulativeStreamsGoOnWithTheirTrueIncrease() throws Exception {
    String before;
    try (Tocsin first = start(WalSettings.DEFAULT)) {
      writeBeforeRestart(first);
      before = StoreDump.of(first.store(), WriterStates.CODEC);
    }
    assertThat(before).contains("temp{host=\"b\"}:gauge", "7ff0000000000002", "hits{route=\"/x\"}:counter");

    clock.advance(Duration.ofMinutes(1));
    try (Tocsin second = start(WalSettings.DEFAULT)) {
      assertThat(StoreDump.of(second.store(), WriterStates.CODEC)).isEqualTo(before);
      writeAfterRestart(second);
      assertThat(hits(second.store())).as("the first point after the restart counts 125 - 110").containsExactly(0, 10, 15);
      assertThat(latencyCounts(second.store())).containsExactly(new double[] {0, 0, 0}, new double[] {1, 1, 1},
          new double[] {1, 0, 1});
      assertThat(metrics(second))
          .containsPattern("\ntocsin_wal_bytes_written_total [1-9]")
          // The stop wrote a snapshot: nothing to replay, one fresh segment after it.
          .contains("\ntocsin_wal_segments 1.0\n", "\ntocsin_wal_replay_errors_total 0.0\n",
              "\ntocsin_wal_replayed_samples_total 0.0\n", "\ntocsin_snapshot_load_seconds ", "\ntocsin_wal_last_recovery_duration_seconds ",
              "\ntocsin_wal_fsync_duration_seconds_count ");
    }
  }

  /**
   * A kill after a snapshot: the snapshot holds what came before it (its log segments are gone),
   * the log what came after, and together they give back the whole store.
   */
  @Test
  void crashAfterASnapshot_recoversFromTheSnapshotAndTheLogAfterIt(@TempDir Path crashed) throws Exception {
    String before;
    long snapshotSegment;
    try (Tocsin first = start(WalSettings.DEFAULT)) {
      writeBeforeRestart(first);
      snapshotSegment = first.durableStore().snapshot().walSegment();
      writeAfterRestart(first);
      before = StoreDump.of(first.store(), WriterStates.CODEC);
      copy(dataDir, crashed); // what a kill -9 leaves: no last snapshot at the stop
    }
    // The snapshot deletes the segments before it once the log writer has finished with them;
    // delete them here in any case, so that what came before the snapshot can only come from it.
    try (var segments = Files.list(crashed.resolve("wal"))) {
      for (Path segment : segments.toList()) {
        if (segment.getFileName().toString().compareTo(String.format("%08d.seg", snapshotSegment)) < 0) {
          Files.delete(segment);
        }
      }
    }
    SeriesStore recovered = storeAfterStart(crashed);
    assertThat(hits(recovered)).containsExactly(0, 10, 15);
    assertThat(StoreDump.of(recovered, WriterStates.CODEC)).isEqualTo(before);
  }

  /**
   * A kill before any snapshot: the log alone brings back the counter's stream (its last value
   * and start, which its series keeps in fields of its own), so the next point counts its true
   * increase; and so does the snapshot the next stop writes, for the point after the start after it.
   */
  @Test
  void crashBeforeASnapshot_replaysTheLog_andCountersGoOnWithTheirTrueIncrease_thenFromASnapshot(
      @TempDir Path crashed) throws Exception {
    String before;
    try (Tocsin first = start(WalSettings.DEFAULT)) {
      writeBeforeRestart(first);
      before = StoreDump.of(first.store(), WriterStates.CODEC);
      copy(dataDir, crashed); // a kill -9: no snapshot at the stop
    }
    ServerConfig config = TestServers.loopbackConfig(crashed).withWal(WalSettings.DEFAULT);
    try (Tocsin second = Tocsin.start(config, clock, false)) {
      assertThat(metrics(second)).containsPattern("\ntocsin_wal_replayed_samples_total [1-9]");
      assertThat(StoreDump.of(second.store(), WriterStates.CODEC)).isEqualTo(before);
      assertThat(counterState(second.store())).isEqualTo(CounterState.of(start * 1_000_000, 110));
      writeAfterRestart(second);
      post(second, gauge("temp", point(at(30), 3.5, "host", "a")));
      assertThat(hits(second.store())).as("the first point after the replay counts 125 - 110").containsExactly(0, 10, 15);
      assertThat(latencyCounts(second.store())).containsExactly(new double[] {0, 0, 0}, new double[] {1, 1, 1},
          new double[] {1, 0, 1});
    }
    clock.advance(Duration.ofSeconds(20));
    try (Tocsin third = Tocsin.start(config, clock, false)) {
      assertThat(metrics(third)).contains("\ntocsin_wal_replayed_samples_total 0.0\n");
      assertThat(counterState(third.store())).isEqualTo(CounterState.of(start * 1_000_000, 125));
      post(third, counter("hits", point(at(5), 133, "route", "/x").setStartTimeUnixNano(start * 1_000_000)));
      assertThat(hits(third.store())).as("the first point after the snapshot counts 133 - 125")
          .containsExactly(0, 10, 15, 8);
      assertThat(third.store().read("temp", l -> "a".equals(l.get("host")), 0, Long.MAX_VALUE).get(0).values())
          .containsExactly(1.5, 2.5, 3.5);
    }
  }

  /** The state of the one "hits" series, which must keep it in its own fields. */
  private static CounterState counterState(SeriesStore store) {
    List<Object> states = new ArrayList<>();
    store.forEachSeries(s -> {
      if (s.metric().equals("hits")) {
        assertThat(s).isInstanceOfSatisfying(CounterSeries.class, c -> assertThat(c.hasCounterState()).isTrue());
        states.add(s.writerState());
      }
    });
    assertThat(states).hasSize(1);
    return (CounterState) states.get(0);
  }

  /** A graceful stop writes a last snapshot, so the next start replays (almost) nothing. */
  @Test
  void gracefulStop_writesASnapshot_thatTheNextStartLoads() throws Exception {
    String before;
    try (Tocsin first = start(WalSettings.DEFAULT)) {
      writeBeforeRestart(first);
      writeAfterRestart(first);
      before = StoreDump.of(first.store(), WriterStates.CODEC);
    }
    try (var snapshots = Files.list(dataDir)) {
      assertThat(snapshots.map(p -> p.getFileName().toString())).anyMatch(name -> name.matches("snapshot-\\d+"));
    }
    try (Tocsin second = start(WalSettings.DEFAULT)) {
      assertThat(StoreDump.of(second.store(), WriterStates.CODEC)).isEqualTo(before);
      assertThat(metrics(second)).contains("\ntocsin_wal_replayed_samples_total 0.0\n");
    }
  }

  private SeriesStore storeAfterStart(Path dir) throws Exception {
    try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dir).withWal(WalSettings.DEFAULT), clock, false)) {
      return tocsin.store();
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /**
   * The seed's hit-rate monitor, 3 of its 5 buckets breached and a fourth received but not yet
   * evaluated when Tocsin stops: the bucket comes back from the log and the group fires at 5:30,
   * when it fires without a restart (with the log off, that bucket would be lost and it would
   * fire a minute later); it then stays firing through a second restart and resolves once.
   */
  @Test
  void seedHitRate_acrossRestarts_firesOnTimeAndNeverResolvesAndRefires() throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.copy(Path.of("rules/redis.yml"), dataDir.resolve("rules/redis.yml"));
    long t0 = clock.millis();
    try (Tocsin first = start(WalSettings.DEFAULT)) {
      for (int m = 0; m <= 3; m++) {
        hitRate(first, t0, m, 50, 50);
        if (m <= 2) {
          evaluateAt(first, t0, m + 1);
        }
      }
      clock.setMillis(t0 + minutes(3) + 55_000);
    }
    clock.setMillis(t0 + minutes(4) + 40_000); // bucket 3 fell due while Tocsin was down
    try (Tocsin second = start(WalSettings.DEFAULT)) {
      hitRate(second, t0, 4, 50, 50);
      evaluateAt(second, t0, 5);
      assertThat(hitRateEvents(second)).containsExactly("firing");
      hitRate(second, t0, 5, 50, 50);
      clock.setMillis(t0 + minutes(6) + 5_000);
    }
    clock.setMillis(t0 + minutes(6) + 50_000);
    try (Tocsin third = start(WalSettings.DEFAULT)) {
      hitRate(third, t0, 6, 50, 50);
      evaluateAt(third, t0, 7);
      assertThat(hitRateEvents(third)).containsExactly("firing");
      hitRate(third, t0, 7, 100, 0);
      evaluateAt(third, t0, 8);
      assertThat(hitRateEvents(third)).containsExactly("firing", "resolved");
    }
  }

  private static long minutes(int m) {
    return m * 60_000L;
  }

  /** One export of the hit and miss counters' increases in minute {@code m}. */
  private void hitRate(Tocsin tocsin, long t0, int m, double hits, double misses) throws Exception {
    String[] node = {"cluster", "c1", "bdb", "1", "node", "n1"};
    post(tocsin, OtlpPoints.deltaCounter("redis_keyspace_read_hits", point(t0 + minutes(m) + 10_000, hits, node)),
        OtlpPoints.deltaCounter("redis_keyspace_read_misses", point(t0 + minutes(m) + 10_000, misses, node)));
  }

  /** The scheduler's tick at {@code m:30}, when the bucket of minute m - 1 is due. */
  private void evaluateAt(Tocsin tocsin, long t0, int m) {
    clock.setMillis(t0 + minutes(m) + 30_000);
    tocsin.evaluateMonitors();
  }

  /** The hit-rate group's lifecycle events, oldest first. */
  private static List<String> hitRateEvents(Tocsin tocsin) {
    List<String> types = new ArrayList<>();
    for (var entry : tocsin.engine().history().entries()) {
      if (entry.monitor().startsWith("Redis read hit rate") && Set.of("firing", "resolved").contains(entry.type())) {
        types.add(0, entry.type());
      }
    }
    return types;
  }

  /** Today's behaviour, kept for those who want it: nothing survives, and a counter's next point counts 0. */
  @Test
  void walDisabled_restartStartsEmpty() throws Exception {
    WalSettings off = WalSettings.DISABLED;
    try (Tocsin first = start(off)) {
      writeBeforeRestart(first);
    }
    assertThat(dataDir.resolve("wal")).doesNotExist();
    try (Tocsin second = start(off)) {
      assertThat(second.store().seriesCount()).isZero();
      writeAfterRestart(second);
      assertThat(hits(second.store())).containsExactly(0);
    }
  }

  /**
   * While a million samples replay, the REST server already answers: healthy, not ready; the
   * OTLP ports open only afterwards.
   */
  @Test
  void duringRecovery_healthyButNotReady() throws Exception {
    SeriesStore store = new SeriesStore(clock, StoreSettings.defaults());
    WalMetrics metrics = new WalMetrics(new PrometheusRegistry());
    try (WriteAheadLog wal = WriteAheadLog.open(dataDir.resolve("wal"), WalSettings.DEFAULT, WriterStates.CODEC,
        metrics, 1, Map.of())) {
      store.attachLog(wal);
      for (int s = 0; s < 1000; s++) {
        Labels labels = Labels.of("host", "h" + s);
        store.write("temp", MetricKind.GAUGE, labels, series -> {
          for (int i = 0; i < 1000; i++) {
            series.append(at(1000) + i, i);
          }
        });
      }
      wal.commit();
    }
    int httpPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      httpPort = socket.getLocalPort();
    }
    HostPort any = new HostPort("127.0.0.1", 0);
    ServerConfig config = TestServers.loopbackConfig(dataDir)
        .withListen(new ServerConfig.Listen(any, any, new HostPort("127.0.0.1", httpPort)));
    CompletableFuture<Tocsin> started = CompletableFuture.supplyAsync(() -> {
      try {
        return Tocsin.start(config, clock, false);
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
    HttpClient http = HttpClient.newHttpClient();
    Set<String> seen = new TreeSet<>();
    while (!started.isDone()) {
      try {
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/-/ready")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> healthy = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + "/-/healthy")).build(), HttpResponse.BodyHandlers.ofString());
        if (!started.isDone()) {
          seen.add(ready.statusCode() + " " + ready.body().trim() + " / healthy " + healthy.statusCode());
        }
      } catch (ConnectException notYet) {
        Thread.sleep(5);
      }
    }
    try (Tocsin tocsin = started.join()) {
      String recovering = "503 Tocsin is not ready: starting / healthy 200";
      // The last poll may come between the end of start-up and start() returning.
      assertThat(seen).contains(recovering).isSubsetOf(recovering, "200 Tocsin is ready. / healthy 200");
      assertThat(tocsin.store().seriesCount()).isEqualTo(1000);
    }
  }

  @Test
  void dataDirThatCannotBeWritten_isAStartupError() throws Exception {
    Path file = dataDir.resolve("not-a-dir");
    Files.writeString(file, "x");
    ServerConfig config = TestServers.loopbackConfig(file.resolve("data"));
    assertThatThrownBy(() -> Tocsin.start(config, clock, false)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("data_dir " + file.resolve("data") + " cannot be written: ");
  }
}
