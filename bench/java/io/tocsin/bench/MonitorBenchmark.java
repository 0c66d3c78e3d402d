package io.tocsin.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rulefiles.RuleSet;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One evaluation cycle of many monitors over many series: copies of the seed's two monitors with
 * varied thresholds and groupings, over redis_up, redis_keyspace_read_hits and
 * redis_keyspace_read_misses (a third of the series each, a sample a minute). Prints wall time and
 * allocation per cycle once the monitors are in their steady state (one new bucket per cycle).
 * Each minute's samples arrive just before the cycle whose new bucket holds them, as in a running
 * service: a cycle that read minutes whose later samples were already stored (as this benchmark
 * did before) decodes each series' head chunk up to the minute it reads, which a live cycle never
 * does (on 2 cores the slowest of 6 cycles took 470-580 ms that way, against 350-420 ms live).
 * Run with {@code bench/run monitors [monitors] [series]}.
 */
public final class MonitorBenchmark {
  private static final List<String> GROUPINGS = List.of("group by cluster", "group by cluster, bdb",
      "group by cluster, bdb, node");

  public static void main(String[] args) throws Exception {
    int monitors = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000;
    int series = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 1_000_000;
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

    long start = System.currentTimeMillis() / 60_000 * 60_000 - Duration.ofMinutes(30).toMillis();
    MutableClock clock = new MutableClock(Instant.ofEpochMilli(start));
    SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), series * 2, series));
    int perMetric = series / 3;
    Labels[] labels = new Labels[perMetric];
    for (int s = 0; s < perMetric; s++) {
      int node = s / 100;
      labels[s] = Labels.of("cluster", "c" + node % 10, "bdb", Integer.toString(node % 100), "node", "n" + node,
          "instance", "i" + s);
    }
    int minutes = 20;
    int first = minutes - 8; // the first cycle's minute
    System.out.printf(Locale.ROOT, "monitors: filling %,d series (%,d per metric) with %d one-minute samples...%n",
        perMetric * 3, perMetric, first - 1);
    SplittableRandom random = new SplittableRandom(7);
    for (int m = 0; m < first - 1; m++) {
      writeMinute(store, labels, random, start, m);
    }

    String yaml = seedMonitorCopies(monitors, random, "");
    RuleSet rules = new RuleFiles(name -> null).parse(Map.of("bench.yml", yaml));
    MonitorEngine engine = MonitorEngine.inMemory(store, (monitor, events) -> { }, clock);
    engine.load(rules.monitors());
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    List<double[]> steady = new ArrayList<>();

    // The first cycles read the window (5 buckets) and warm the JIT; then one bucket a cycle.
    for (int m = first; m <= minutes; m++) {
      writeMinute(store, labels, random, start, m - 1); // the minute the cycle's new bucket covers, just arrived
      long now = start + m * 60_000L;
      clock.setMillis(now);
      long allocated0 = allocated(threads);
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      for (Future<?> f : engine.evaluateDueAsync(now, pool)) {
        f.get();
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
      long allocated = allocated(threads) - allocated0;
      long firing = engine.monitors().stream().mapToLong(s -> s.count(io.tocsin.rules.GroupState.State.FIRING)).sum();
      System.out.printf(Locale.ROOT, "monitors: cycle at minute %d: %,d monitors over %,d series in %.0f ms, "
          + "%.2f CPU-s, %,d MiB allocated, %,d groups firing%n", m, monitors, perMetric * 3, ms, cpu,
          allocated >> 20, firing);
      if (m > minutes - 6) {
        steady.add(new double[] {ms, cpu});
      }
    }
    // CPU-s over the cores is what a cycle would take on an otherwise idle machine.
    double[] wall = steady.stream().mapToDouble(f -> f[0]).sorted().toArray();
    double[] cpu = steady.stream().mapToDouble(f -> f[1]).sorted().toArray();
    System.out.printf(Locale.ROOT, "monitors: %d steady cycles: wall median %.0f ms, max %.0f ms; CPU-s median %.2f, "
        + "max %.2f (%d cores, load %.1f)%n", wall.length, wall[wall.length / 2], wall[wall.length - 1],
        cpu[cpu.length / 2], cpu[cpu.length - 1], Runtime.getRuntime().availableProcessors(),
        os.getSystemLoadAverage());
    pool.shutdown();
  }

  /** One sample of each series of the three metrics, 10 s into minute {@code m} after {@code start}. */
  private static void writeMinute(SeriesStore store, Labels[] labels, SplittableRandom random, long start, int m) {
    long t = start + m * 60_000L + 10_000;
    for (Labels series : labels) {
      double up = random.nextInt(1000) == 0 ? 0 : 1;
      long hits = random.nextInt(100);
      long misses = random.nextInt(30);
      store.write("redis_up", MetricKind.GAUGE, series, sr -> sr.append(t, up));
      store.write("redis_keyspace_read_hits", MetricKind.COUNTER, series, sr -> sr.append(t, hits));
      store.write("redis_keyspace_read_misses", MetricKind.COUNTER, series, sr -> sr.append(t, misses));
    }
  }

  private static long allocated(ThreadMXBean threads) {
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }

  /**
   * {@code monitors} copies of the seed monitors, alternating, with varied groupings and
   * thresholds from {@code random}; {@code extra} (indented YAML lines) is added to each.
   */
  static String seedMonitorCopies(int monitors, SplittableRandom random, String extra) {
    StringBuilder yaml = new StringBuilder("monitors:\n");
    for (int i = 0; i < monitors; i++) {
      double minAllowed = 0.5 + random.nextDouble() / (i % 2 == 0 ? 2 : 4);
      yaml.append(seedMonitor(i, GROUPINGS.get(i % GROUPINGS.size()), String.format(Locale.ROOT, "%.2f", minAllowed)))
          .append(extra);
    }
    return yaml.toString();
  }

  /**
   * Copy {@code i} of a seed monitor as an item of {@code monitors:}: "shard down" (redis_up) when
   * {@code i} is even, "hit rate" (read hits over all reads) when odd, grouped by {@code grouping}.
   */
  static String seedMonitor(int i, String grouping, String minAllowedValue) {
    if (i % 2 == 0) {
      return String.format(Locale.ROOT, """
            - name: shard down %d
              metrics: [redis_up as $redis_up]
              query: ["%s", $redis_up]
              min_allowed_value: %s
              for_duration: 5m
              evaluation_delay: 0s
          """, i, grouping, minAllowedValue);
    }
    return String.format(Locale.ROOT, """
          - name: hit rate %d
            metrics: [redis_keyspace_read_hits as $hits, redis_keyspace_read_misses as $misses]
            query: ["%s", "$hits / ($hits + $misses) as hit_rate"]
            min_allowed_value: %s
            for_duration: 5m
            evaluation_delay: 0s
        """, i, grouping, minAllowedValue);
  }
}
