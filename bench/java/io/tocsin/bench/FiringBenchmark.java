package io.tocsin.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.testing.ScratchDir;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Steady-state cycles of many monitors with many firing groups, through what the scheduler runs
 * each tick: an in-process Tocsin (persistence to a temporary data_dir, history, the notification
 * dispatcher with the default log channel), the monitors evaluated on a pool as
 * {@link MonitorEngine#evaluateDueAsync} does, notifications delivered, state saved. Copies of the
 * seed's two monitors (shard down, hit rate) grouped by node over redis_up and the hit/miss
 * counters; 40% of the nodes are down (up 0, hit rate 0.1), and each minute a few nodes change
 * side, so every cycle has some transitions. Prints per cycle: wall ms, CPU-s of the whole process
 * (evaluation, GC, logging), bytes allocated, bytes of monitor state written; then the time of
 * {@code GET /metrics} and {@code GET /api/v1/monitors} through the real API server.
 * Run with {@code bench/run firing [monitors] [series] [groups per monitor] [nodes changing side a
 * minute, default 2]}; the figures go to
 * stderr, the service's log (one line per alert of the log channel) to stdout.
 */
public final class FiringBenchmark {
  private static final List<String> GROUPINGS = List.of("group by node", "group by cluster, node",
      "group by bdb, node");
  private static final int WARM_UP = 8;
  private static final int MEASURED = 8;

  public static void main(String[] args) throws Exception {
    int monitors = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000;
    int series = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 100_000;
    int groups = args.length > 2 ? Integer.parseInt(args[2].replace("_", "")) : 1_042;
    int flips = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int flipEvery = flips == 0 ? Integer.MAX_VALUE : Math.max(1, groups / flips);
    int perMetric = series / 3;
    int perNode = Math.max(1, perMetric / groups);
    say("java %s, %d cores, max heap %d MiB", Runtime.version(), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);

    try (ScratchDir scratch = ScratchDir.create("tocsin-firing-bench")) {
      run(scratch.path(), monitors, perMetric, perNode, flips, flipEvery);
    }
  }

  private static void run(Path dataDir, int monitors, int perMetric, int perNode, int flips, int flipEvery)
      throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/bench.yml"), monitors(monitors));
    long start = System.currentTimeMillis() / 60_000 * 60_000 - Duration.ofHours(1).toMillis();
    MutableClock clock = new MutableClock(Instant.ofEpochMilli(start));
    ServerConfig config = TestServers.loopbackConfig(dataDir);
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
    HttpClient http = HttpClient.newHttpClient();
    try (Tocsin tocsin = Tocsin.start(config, clock, false)) {
      MonitorEngine engine = tocsin.engine();
      Labels[] labels = new Labels[perMetric];
      for (int s = 0; s < perMetric; s++) {
        int node = s / perNode;
        labels[s] = Labels.of("cluster", "c" + node % 10, "bdb", Integer.toString(node % 100), "node", "n" + node,
            "instance", "i" + s);
      }
      say("firing: %,d monitors over %,d series (%,d per metric), %,d series per node, %d nodes a minute change "
          + "side, data dir %s", monitors, perMetric * 3, perMetric, perNode, flips, dataDir);
      int minute = 0;
      for (; minute < 6; minute++) {
        write(tocsin.store(), labels, perNode, flipEvery, start, minute);
      }
      List<double[]> figures = new ArrayList<>();
      for (int cycle = 0; cycle < WARM_UP + MEASURED; cycle++, minute++) {
        long now = start + minute * 60_000L;
        clock.setMillis(now);
        Path state = dataDir.resolve("state.json");
        Object fileBefore = fileKey(state);
        long sizeBefore = Files.exists(state) ? Files.size(state) : 0;
        long cpu0 = os.getProcessCpuTime();
        long allocated0 = allocated(threads);
        long t0 = System.nanoTime();
        for (Future<?> f : engine.evaluateDueAsync(now, pool)) {
          f.get();
        }
        long t1 = System.nanoTime();
        tocsin.notifications().deliverDue();
        long t2 = System.nanoTime();
        engine.persistIfChanged();
        double ms = (System.nanoTime() - t0) / 1e6;
        String phases = String.format(Locale.ROOT, " (evaluation %,.0f, delivery %,.0f, state %,.0f)",
            (t1 - t0) / 1e6, (t2 - t1) / 1e6, (System.nanoTime() - t2) / 1e6);
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        long allocated = allocated(threads) - allocated0;
        long written = !Files.exists(state) ? 0
            : fileBefore != null && fileBefore.equals(fileKey(state)) ? Files.size(state) - sizeBefore : Files.size(state);
        double metricsMs = get(http, tocsin.httpPort(), "/metrics");
        double monitorsMs = get(http, tocsin.httpPort(), "/api/v1/monitors?limit=1000");
        say("firing: cycle %2d: %,6.0f ms wall%s, %5.2f CPU-s, %,7d MiB allocated, %,11d state bytes written, "
            + "%,d pending, %,d firing; GET /metrics %,.1f ms, GET /api/v1/monitors %,.1f ms", cycle, ms, phases, cpu,
            allocated >> 20, written, engine.count(GroupState.State.PENDING), engine.count(GroupState.State.FIRING),
            metricsMs, monitorsMs);
        if (cycle >= WARM_UP) {
          figures.add(new double[] {ms, cpu, allocated, written, metricsMs, monitorsMs});
        }
        write(tocsin.store(), labels, perNode, flipEvery, start, minute);
      }
      say("firing: median of %d steady cycles: %,.0f ms wall, %.2f CPU-s, %,.0f MiB allocated, %,.0f state bytes "
          + "written; GET /metrics %,.1f ms, GET /api/v1/monitors %,.1f ms", MEASURED, median(figures, 0),
          median(figures, 1), median(figures, 2) / (1 << 20), median(figures, 3), median(figures, 4),
          median(figures, 5));
      say("firing: state.json %,d bytes", Files.size(dataDir.resolve("state.json")));
    } finally {
      pool.shutdownNow();
    }
  }

  /** The samples of {@code minute}: 40% of the nodes down, and one node in {@code flipEvery} changing side. */
  private static void write(SeriesStore store, Labels[] labels, int perNode, int flipEvery, long start, int minute) {
    long t = start + minute * 60_000L + 10_000;
    for (int s = 0; s < labels.length; s++) {
      int node = s / perNode;
      boolean down = node % 5 < 2;
      if (flipEvery < Integer.MAX_VALUE && node % flipEvery == minute % flipEvery) {
        down = !down;
      }
      double up = down ? 0 : 1;
      long hits = down ? 10 : 90;
      store.write("redis_up", MetricKind.GAUGE, labels[s], sr -> sr.append(t, up));
      store.write("redis_keyspace_read_hits", MetricKind.COUNTER, labels[s], sr -> sr.append(t, hits));
      store.write("redis_keyspace_read_misses", MetricKind.COUNTER, labels[s], sr -> sr.append(t, 100 - hits));
    }
  }

  private static String monitors(int monitors) {
    StringBuilder yaml = new StringBuilder("monitors:\n");
    for (int i = 0; i < monitors; i++) {
      double minAllowed = 0.5 + i % 100 / (i % 2 == 0 ? 200.0 : 400.0);
      yaml.append(MonitorBenchmark.seedMonitor(i, GROUPINGS.get(i / 2 % GROUPINGS.size()),
          String.format(Locale.ROOT, "%.3f", minAllowed)));
    }
    return yaml.toString();
  }

  private static double get(HttpClient http, int port, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
    long t0 = System.nanoTime();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    double ms = (System.nanoTime() - t0) / 1e6;
    if (response.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + response.statusCode());
    }
    return ms;
  }

  private static Object fileKey(Path file) throws Exception {
    return Files.exists(file) ? Files.readAttributes(file, BasicFileAttributes.class).fileKey() : null;
  }

  private static long allocated(ThreadMXBean threads) {
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }

  private static double median(List<double[]> rows, int column) {
    double[] values = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return values[values.length / 2];
  }

  private static void say(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }
}
