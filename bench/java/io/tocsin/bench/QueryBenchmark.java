package io.tocsin.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.tocsin.query.eval.Query;
import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.query.eval.QueryResult;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The seed's hit-rate query over one hour of one-minute buckets: time and allocation per
 * evaluation with 10k, 100k and 1M series per metric, grouped into 1% as many groups. Each series
 * has a sample a minute (the OpenTelemetry SDK's default export interval). Prints, asserts
 * nothing. Run with {@code bench/run query [series...]}.
 */
public final class QueryBenchmark {
  private static final List<String> METRICS = List.of(
      "redis_keyspace_read_hits as $hits", "redis_keyspace_read_misses as $misses");
  private static final List<String> QUERY = List.of(
      "group by cluster", "group by bdb", "group by node", "$hits / ($hits + $misses) as hit_rate");

  public static void main(String[] args) {
    List<Integer> sizes = new ArrayList<>();
    for (String arg : args) {
      sizes.add(Integer.parseInt(arg.replace("_", "")));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(10_000, 100_000, 1_000_000);
    }
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    for (int series : sizes) {
      run(series);
    }
  }

  static void run(int series) {
    long now = System.currentTimeMillis() / 60_000 * 60_000;
    SeriesStore store = new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(2), 4 * series, 2 * series));
    SplittableRandom random = new SplittableRandom(series);
    Labels[] labels = new Labels[series];
    for (int s = 0; s < series; s++) {
      int node = s / 100; // 100 series per group: 1% as many groups as series
      labels[s] = Labels.of("cluster", "c" + (node % 10), "bdb", Integer.toString(node % 100), "node", "n" + node,
          "instance", "i" + s);
    }
    System.out.printf(Locale.ROOT, "%nquery: filling %,d series per metric with 60 one-minute samples...%n", series);
    for (int minute = 0; minute < 60; minute++) {
      long t = now - (60 - minute) * 60_000L + 30_000;
      for (int s = 0; s < series; s++) {
        long hits = random.nextInt(100);
        long misses = random.nextInt(30);
        store.write("redis_keyspace_read_hits", MetricKind.COUNTER, labels[s], sr -> sr.append(t, hits));
        store.write("redis_keyspace_read_misses", MetricKind.COUNTER, labels[s], sr -> sr.append(t, misses));
      }
    }
    // Collected now, so that the collector's concurrent work on what the fill left (on one of two
    // cores) does not fall in the measured evaluations: runs without this varied from 0.5 to 0.8 s.
    System.gc();
    Query query = Query.compile(METRICS, QUERY);
    QueryEvaluator evaluator = new QueryEvaluator(store);
    BucketGrid grid = BucketGrid.endingAt(now, 60_000, 60);
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    // Warm-up: at least three evaluations, and on until the young generation has been collected
    // since the full collection above. Until then every allocation lands on memory the JVM had
    // not touched since that collection shrank the heap, and a first touch costs a virtual
    // machine like the one these figures come from ~1.5 us per 500 bytes against ~50 ns after.
    // A service that has run for a while allocates on memory it touched before.
    int groups = 0;
    long young = youngCollections();
    int warmUps = 0;
    while (warmUps < 3 || youngCollections() == young && warmUps < 60) {
      groups = evaluator.evaluate(query, grid).column("hit_rate").groups().size();
      warmUps++;
    }
    String warm = youngCollections() > young ? "after a young collection"
        : "no young collection yet: first touches included";
    int runs = series >= 1_000_000 ? 5 : 20;
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long allocated0 = threads.getCurrentThreadAllocatedBytes();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      QueryResult result = evaluator.evaluate(query, grid);
      groups = result.column("hit_rate").groups().size();
    }
    double ms = (System.nanoTime() - t0) / 1e6 / runs;
    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9 / runs;
    long allocated = (threads.getCurrentThreadAllocatedBytes() - allocated0) / runs;
    System.out.printf(Locale.ROOT, "query: %,d series per metric, %,d groups: %.1f ms per evaluation, %.2f CPU-s (all threads), "
        + "%,d KiB allocated on the calling thread (%d warm-up evaluations, %s)%n", series, groups, ms, cpu,
        allocated >> 10, warmUps, warm);
  }

  /** Collections so far by the collectors of the young generation (G1's, serial's, parallel's). */
  private static long youngCollections() {
    long count = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = collector.getName();
      if (name.contains("Young") || name.equals("Copy") || name.equals("PS Scavenge")) {
        count += Math.max(0, collector.getCollectionCount());
      }
    }
    return count;
  }
}
