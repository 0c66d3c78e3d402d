package io.tocsin.bench;

import io.tocsin.datasource.DatasourceSettings;
import io.tocsin.datasource.PrometheusSource;
import io.tocsin.query.eval.QuerySource;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rulefiles.RuleSet;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.ScratchDir;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One evaluation cycle of N monitors (the seed's two, with varied thresholds and groupings) over
 * M series, once over the local store and once with {@code datasource:} over VictoriaMetrics
 * holding the same samples. Prints the wall time per steady-state cycle (one new bucket) of each.
 * Run with {@code bench/run datasource [monitors] [series]}.
 */
public final class DatasourceBenchmark {

  public static void main(String[] args) throws Exception {
    int monitors = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 100;
    int series = args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 100_000;
    if (!ExternalServer.installed(ExternalServer.VICTORIA_METRICS)) {
      System.out.println("datasource: VictoriaMetrics is not installed at " + ExternalServer.VICTORIA_METRICS);
      return;
    }
    System.out.printf(Locale.ROOT, "java %s, %d cores%n", Runtime.version(), Runtime.getRuntime().availableProcessors());
    long start = System.currentTimeMillis() / 60_000 * 60_000 - Duration.ofMinutes(30).toMillis();
    MutableClock clock = new MutableClock(Instant.ofEpochMilli(start));
    SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), series * 2, series));
    int perMetric = series / 3;
    int minutes = 20;
    try (ScratchDir vmData = ScratchDir.create("tocsin-bench-vm");
        ExternalServer victoria = ExternalServer.victoriaMetrics(vmData.path())) {
      HttpClient http = HttpClient.newHttpClient();
      SplittableRandom random = new SplittableRandom(7);
      long[] hits = new long[perMetric];
      long[] misses = new long[perMetric];
      long t0 = System.nanoTime();
      for (int m = 0; m < minutes; m++) {
        long t = start + m * 60_000L + 10_000;
        StringBuilder text = new StringBuilder();
        for (int s = 0; s < perMetric; s++) {
          int node = s / 100;
          Labels labels = Labels.of("cluster", "c" + node % 10, "bdb", Integer.toString(node % 100), "node", "n" + node,
              "instance", "i" + s);
          String l = "{cluster=\"c" + node % 10 + "\",bdb=\"" + node % 100 + "\",node=\"n" + node + "\",instance=\"i" + s + "\"} ";
          double up = random.nextInt(1000) == 0 ? 0 : 1;
          long h = m == 0 ? 0 : random.nextInt(100);
          long x = m == 0 ? 0 : random.nextInt(30);
          hits[s] += h;
          misses[s] += x;
          store.write("redis_up", MetricKind.GAUGE, labels, sr -> sr.append(t, up));
          store.write("redis_keyspace_read_hits", MetricKind.COUNTER, labels, sr -> sr.append(t, h));
          store.write("redis_keyspace_read_misses", MetricKind.COUNTER, labels, sr -> sr.append(t, x));
          text.append("redis_up").append(l).append((long) up).append(' ').append(t).append('\n')
              .append("redis_keyspace_read_hits").append(l).append(hits[s] + 100_000).append(' ').append(t).append('\n')
              .append("redis_keyspace_read_misses").append(l).append(misses[s] + 100_000).append(' ').append(t).append('\n');
        }
        http.send(HttpRequest.newBuilder(URI.create(victoria.url() + "/api/v1/import/prometheus"))
            .POST(HttpRequest.BodyPublishers.ofString(text.toString())).build(), HttpResponse.BodyHandlers.discarding());
      }
      http.send(HttpRequest.newBuilder(URI.create(victoria.url() + "/internal/force_flush")).build(),
          HttpResponse.BodyHandlers.discarding());
      System.out.printf(Locale.ROOT, "datasource: %,d series x %d minutes written to both stores in %.1f s%n",
          perMetric * 3, minutes, (System.nanoTime() - t0) / 1e9);

      DatasourceSettings vm = new DatasourceSettings("vm", URI.create(victoria.url()),
          DatasourceSettings.Flavor.VICTORIAMETRICS, Map.of(), "", Secret.NONE, Secret.NONE, Duration.ofSeconds(60),
          Map.of("redis_keyspace_read_hits", MetricKind.COUNTER, "redis_keyspace_read_misses", MetricKind.COUNTER));
      for (String datasource : new String[] {null, "vm"}) {
        MonitorEngine engine = MonitorEngine.inMemory(store, (monitor, events) -> { }, clock);
        engine.useDatasources(Map.<String, QuerySource>of("vm", new PrometheusSource(vm)));
        engine.load(rules(monitors, datasource).monitors());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
        for (int m = minutes - 8; m <= minutes; m++) {
          long now = start + m * 60_000L;
          clock.setMillis(now);
          long c0 = System.nanoTime();
          for (Future<?> f : engine.evaluateDueAsync(now, pool)) {
            f.get();
          }
          double ms = (System.nanoTime() - c0) / 1e6;
          long errors = engine.monitors().stream().filter(s -> s.health() == MonitorStatus.Health.ERROR).count();
          System.out.printf(Locale.ROOT, "datasource: %s: cycle at minute %d: %d monitors over %,d series in %.0f ms"
              + " (%d in error)%n", datasource == null ? "local store" : "VictoriaMetrics", m, monitors, perMetric * 3,
              ms, errors);
        }
        pool.shutdown();
      }
    }
  }

  private static RuleSet rules(int monitors, String datasource) throws Exception {
    SplittableRandom random = new SplittableRandom(11);
    String yaml = MonitorBenchmark.seedMonitorCopies(monitors, random,
        datasource == null ? "" : "    datasource: " + datasource + "\n");
    return new RuleFiles(name -> null).withDatasources(Map.of("vm", Map.of(
        "redis_keyspace_read_hits", MetricKind.COUNTER, "redis_keyspace_read_misses", MetricKind.COUNTER)))
        .parse(Map.of("bench.yml", yaml));
  }
}
