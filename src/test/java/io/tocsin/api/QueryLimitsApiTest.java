package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ad-hoc query limits over HTTP, and their pool: however heavy the queries, monitors stay on schedule. */
class QueryLimitsApiTest {
  /** Many series, and a window over all of their samples for each of 3,600 buckets: seconds of CPU. */
  private static final String HEAVY = "{\"metrics\": [\"load as $load\"], "
      + "\"query\": [\"max(max_over_time($load[1h])) as top\"], \"interval\": \"1s\", \"range\": \"1h\"}";

  @TempDir
  Path dataDir;

  private Tocsin start(ServerConfig.Query limits, Clock clock, boolean schedule) throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/fast.yml"), """
        monitors:
          - name: Fast
            metrics: [load as $load]
            query: [max($load) as top]
            max_allowed_value: 1000
            grouping_interval: 1s
            evaluation_delay: 0s
        """);
    return Tocsin.start(TestServers.loopbackConfig(dataDir).withQuery(limits), clock, schedule);
  }

  /** {@code pods} series of gauge {@code load}, a sample every 10s over the last 20 minutes. */
  private static void fill(SeriesStore store, long nowMs, int pods) {
    for (int pod = 0; pod < pods; pod++) {
      Labels labels = Labels.of("pod", "p" + pod);
      for (long t = nowMs - 1_200_000; t < nowMs; t += 10_000) {
        long time = t;
        store.write("load", MetricKind.GAUGE, labels, s -> s.append(time, 1));
      }
    }
  }

  @Test
  void groupByEveryPodEverySecond_is422WithTheLimitAndHowToNarrowIt() throws Exception {
    MutableClock clock = MutableClock.at("2026-03-01T12:00:00Z");
    try (Tocsin tocsin = start(ServerConfig.Query.DEFAULT, clock, false)) {
      fill(tocsin.store(), clock.millis(), 1_000);

      HttpResponse<String> response = ApiClient.of(tocsin).post("/api/v1/query", "{\"metrics\": [\"load as $load\"], "
          + "\"query\": [\"group by pod\", \"$load\"], \"interval\": \"1s\", \"range\": \"1h\"}");

      assertThat(response.statusCode()).isEqualTo(422);
      assertThat(response.body()).isEqualTo("{\"error\":\"the query builds more than 500000 points "
          + "(query.max_result_points), counted as groups × 3600 buckets of 1s; narrow it: a larger interval, a shorter "
          + "range, fewer group by attributes, or a where filter\",\"limit\":\"query.max_result_points\","
          + "\"value\":500000}");
      // Narrowed as it says, the same question is answered.
      HttpResponse<String> narrowed = ApiClient.of(tocsin).post("/api/v1/query", "{\"metrics\": [\"load as $load\"], "
          + "\"query\": [\"group by pod\", \"$load\"], \"interval\": \"1m\", \"range\": \"1h\"}");
      assertThat(narrowed.statusCode()).isEqualTo(200);
      assertThat(ApiClient.JSON.readTree(narrowed.body()).get("groups")).hasSize(1_000);
    }
  }

  @Test
  void queryOverItsTimeout_isCancelled_andFreesItsThread() throws Exception {
    MutableClock clock = MutableClock.at("2026-03-01T12:00:00Z");
    ServerConfig.Query limits = new ServerConfig.Query(50_000_000, 500_000, Duration.ofMillis(200), 1, 1);
    try (Tocsin tocsin = start(limits, clock, false)) {
      fill(tocsin.store(), clock.millis(), 3_000);
      ApiClient api = ApiClient.of(tocsin);

      long started = System.nanoTime();
      HttpResponse<String> response = api.post("/api/v1/query", HEAVY);

      assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
      assertThat(response.body()).isEqualTo("{\"error\":\"the query took longer than 200ms (query.timeout) and was "
          + "cancelled; narrow it: a shorter range, a larger interval, fewer group by attributes, or a where filter "
          + "that selects fewer series\",\"limit\":\"query.timeout\",\"value\":\"200ms\"}");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
      // The one thread is free again at once: had the heavy query run on, this one would wait in the
      // queue past its own 200ms and time out too.
      HttpResponse<String> next = api.post("/api/v1/query", "{\"query\": [\"1 as one\"], \"range\": \"1m\"}");
      assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    }
  }

  @Test
  void heavyQueriesSaturatingTheirPool_leaveMonitorEvaluationOnSchedule() throws Exception {
    ServerConfig.Query limits = new ServerConfig.Query(50_000_000, 500_000, Duration.ofSeconds(5), 1, 1);
    try (Tocsin tocsin = start(limits, Clock.systemUTC(), true)) {
      fill(tocsin.store(), System.currentTimeMillis(), 3_000);
      ApiClient api = ApiClient.of(tocsin);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger refused = new AtomicInteger();
      AtomicInteger answered = new AtomicInteger();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Thread client = new Thread(() -> {
          while (!stop.get()) {
            try {
              HttpResponse<String> r = api.post("/api/v1/query", HEAVY);
              if (r.statusCode() == 503) {
                assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
                refused.incrementAndGet();
              } else {
                answered.incrementAndGet();
              }
            } catch (Exception e) {
              return;
            }
          }
        });
        client.start();
        clients.add(client);
      }
      try {
        long patience = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (refused.get() == 0 && System.nanoTime() < patience) {
          Thread.sleep(20);
        }
        assertThat(refused.get()).as("the query pool is saturated").isPositive();

        // Five evaluations of the 1s monitor while heavy queries keep the pool full.
        long from = System.currentTimeMillis();
        long target = from + 5_000;
        while (lastEvaluation(tocsin) < target && System.nanoTime() < patience) {
          assertThat(tocsin.engine().behindSchedule(System.currentTimeMillis())).isNull();
          Thread.sleep(20);
        }
        long took = System.currentTimeMillis() - from;

        assertThat(lastEvaluation(tocsin)).isGreaterThanOrEqualTo(target);
        assertThat(took).as("monitor evaluation kept its 1s schedule").isLessThan(15_000);
        assertThat(ApiClient.of(tocsin).get("/-/ready").statusCode()).isEqualTo(200);
      } finally {
        stop.set(true);
        for (Thread client : clients) {
          client.join(30_000);
        }
      }
      assertThat(answered.get() + refused.get()).isGreaterThan(1);
    }
  }

  private static long lastEvaluation(Tocsin tocsin) {
    return tocsin.engine().monitor("fast").orElseThrow().lastEvaluationMs();
  }
}
