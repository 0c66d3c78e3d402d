package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tocsin_monitor_evaluations_skipped_total} counts buckets whose evaluation did not run when
 * due because the monitor's previous evaluation was still running: once per such bucket, not once
 * per scheduler tick. The evaluation is held in a one-thread pool behind a blocked task; the
 * scheduler's ticks are calls of {@link MonitorEngine#evaluateDueAsync} on a simulated clock.
 */
class EvaluationSkipsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final MonitorEngine engine = new MonitorEngine(store, (monitor, events) -> { }, clock, null,
      new RulesMetrics(registry), Downtime.before(T0.toEpochMilli()));
  private final ExecutorService pool = Executors.newSingleThreadExecutor();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Future<?>> started = new ArrayList<>();

  @BeforeEach
  void loadAndHoldThePool() throws Exception {
    engine.load(new RuleFiles(name -> null).parse(Map.of("r.yml", """
        monitors:
          - name: Down
            metrics: [up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            evaluation_delay: 0s
        """)).monitors());
    pool.submit(() -> {
      release.await();
      return null;
    });
  }

  @AfterEach
  void stop() {
    release.countDown();
    pool.shutdownNow();
  }

  /** A scheduler tick at {@code ms} after T0. */
  private void tickAt(long ms) {
    clock.set(T0.plusMillis(ms));
    started.addAll(engine.evaluateDueAsync(clock.millis(), pool));
  }

  private double skipped() {
    for (MetricSnapshot snapshot : registry.scrape()) {
      if (snapshot instanceof CounterSnapshot counter
          && counter.getMetadata().getName().equals("tocsin_monitor_evaluations_skipped")) {
        return counter.getDataPoints().stream().mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
      }
    }
    throw new AssertionError("no tocsin_monitor_evaluations_skipped_total");
  }

  @Test
  void evaluateDueAsync_ticksWhileTheDueBucketIsEvaluated_countNoSkip() {
    tickAt(60_000);
    for (long ms = 60_200; ms < 120_000; ms += 200) {
      tickAt(ms);
    }

    assertThat(started).hasSize(1);
    assertThat(skipped()).isZero();
  }

  @Test
  void evaluateDueAsync_newBucketsDueWhileAnEvaluationRuns_countOneSkipEach() throws Exception {
    tickAt(60_000);
    for (long ms = 60_200; ms <= 180_000; ms += 200) {
      tickAt(ms); // the buckets ending at 2m and 3m become due on the way
    }
    assertThat(skipped()).isEqualTo(2);

    release.countDown();
    for (Future<?> f : List.copyOf(started)) {
      f.get(30, TimeUnit.SECONDS);
    }
    tickAt(180_200); // the buckets it missed are evaluated now
    tickAt(180_400);
    for (Future<?> f : started) {
      f.get(30, TimeUnit.SECONDS);
    }

    assertThat(started).hasSize(2);
    assertThat(skipped()).isEqualTo(2);
    assertThat(engine.monitors().get(0).lastBucketEnd()).isEqualTo(T0.plusSeconds(180).toEpochMilli());
  }
}
