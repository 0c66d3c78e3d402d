package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
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
import org.junit.jupiter.api.Test;

/** Loading rules into a running engine. */
class MonitorEngineTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
  private final List<String> delivered = new ArrayList<>();
  private final MonitorEngine engine = MonitorEngine.inMemory(store,
      (monitor, events) -> events.forEach(e -> delivered.add(monitor.name() + " " + e.type().id() + " "
          + e.labels() + (e.reason().isEmpty() ? "" : " " + e.reason()))), clock);

  private static List<MonitorDefinition> monitors(String yaml) throws Exception {
    return new RuleFiles(name -> null).parse(Map.of("r.yml", yaml)).monitors();
  }

  @Test
  void load_resolvesTheFiringAlertsOfARemovedMonitor_andKeepsTheOthers() throws Exception {
    String down = """
          - name: Down
            metrics: [up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: 1m
            evaluation_delay: 0s
        """;
    String other = down.replace("name: Down", "name: Other");
    engine.load(monitors("monitors:\n" + down + other));
    store.write("up", MetricKind.GAUGE, Labels.of("node", "n1"), s -> s.append(T0.toEpochMilli() + 10_000, 0));
    clock.set(T0.plus(Duration.ofMinutes(1)));
    engine.evaluateDue(clock.millis());
    assertThat(delivered).containsExactly("Down firing {node=\"n1\"}", "Other firing {node=\"n1\"}");

    engine.load(monitors("monitors:\n" + other));

    assertThat(delivered).containsExactly("Down firing {node=\"n1\"}", "Other firing {node=\"n1\"}",
        "Down resolved {node=\"n1\"} monitor_removed");
    assertThat(engine.monitors()).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("firing"));
    assertThat(engine.history().entries().get(0).detail()).isEqualTo("monitor_removed");
  }

  @Test
  void alerting_listsEachMonitorWithItsPendingAndFiringGroupsOnly() throws Exception {
    engine.load(monitors("""
        monitors:
          - name: Down
            metrics: [up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: 2m
            evaluation_delay: 0s
          - name: Quiet
            metrics: [other as $o]
            query: [$o]
            min_allowed_value: 1
        """));
    // n1 breaches for two minutes (firing), n2 never, n3 for the second minute only (pending).
    for (int minute = 0; minute < 2; minute++) {
      long time = T0.toEpochMilli() + minute * 60_000L + 10_000;
      store.write("up", MetricKind.GAUGE, Labels.of("node", "n1"), s -> s.append(time, 0));
      store.write("up", MetricKind.GAUGE, Labels.of("node", "n2"), s -> s.append(time, 1));
      double n3 = minute == 0 ? 1 : 0;
      store.write("up", MetricKind.GAUGE, Labels.of("node", "n3"), s -> s.append(time, n3));
    }
    clock.set(T0.plus(Duration.ofMinutes(2)));
    engine.evaluateDue(clock.millis());

    assertThat(engine.monitors().get(0).groups()).hasSize(3);
    assertThat(engine.alerting()).extracting(s -> s.definition().name()).containsExactly("Down", "Quiet");
    assertThat(engine.alerting().get(0).groups())
        .extracting(g -> g.labels().get("node") + " " + g.state().id())
        .containsExactly("n1 firing", "n3 pending");
    assertThat(engine.alerting().get(1).groups()).isEmpty();
  }

  @Test
  void reload_whileEvaluationsAreQueued_emitsEachFiringOnce() throws Exception {
    String down = """
          - name: Down
            metrics: [up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: 1m
            evaluation_delay: 0s
        """;
    List<MonitorDefinition> rules = monitors("monitors:\n" + down + down.replace("name: Down", "name: Other"));
    engine.load(rules);
    for (String node : List.of("n1", "n2")) {
      store.write("up", MetricKind.GAUGE, Labels.of("node", node), s -> s.append(T0.toEpochMilli() + 10_000, 0));
    }
    clock.set(T0.plus(Duration.ofMinutes(1)));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try {
      // The only worker is busy, so the evaluations started before the reload are still queued.
      pool.submit(() -> release.await(30, TimeUnit.SECONDS));
      List<Future<?>> started = new ArrayList<>(engine.evaluateDueAsync(clock.millis(), pool));
      engine.load(rules);
      started.addAll(engine.evaluateDueAsync(clock.millis(), pool));
      assertThat(started).hasSize(4);
      release.countDown();
      for (Future<?> evaluation : started) {
        evaluation.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(delivered).containsExactly("Down firing {node=\"n1\"}", "Down firing {node=\"n2\"}",
        "Other firing {node=\"n1\"}", "Other firing {node=\"n2\"}");
    assertThat(engine.monitors()).allSatisfy(m -> assertThat(m.state()).isEqualTo("firing"));
  }

  @Test
  void removingAMonitor_whileItsEvaluationIsQueued_doesNotFireItAgain() throws Exception {
    String down = """
        monitors:
          - name: Down
            metrics: [up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: 1m
            evaluation_delay: 0s
        """;
    engine.load(monitors(down));
    store.write("up", MetricKind.GAUGE, Labels.of("node", "n1"), s -> s.append(T0.toEpochMilli() + 10_000, 0));
    clock.set(T0.plus(Duration.ofMinutes(1)));
    engine.evaluateDue(clock.millis());
    store.write("up", MetricKind.GAUGE, Labels.of("node", "n2"), s -> s.append(T0.toEpochMilli() + 70_000, 0));
    clock.set(T0.plus(Duration.ofMinutes(2)));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    try {
      pool.submit(() -> release.await(30, TimeUnit.SECONDS));
      List<Future<?>> started = engine.evaluateDueAsync(clock.millis(), pool);
      engine.load(List.of());
      release.countDown();
      for (Future<?> evaluation : started) {
        evaluation.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(delivered).containsExactly("Down firing {node=\"n1\"}", "Down resolved {node=\"n1\"} monitor_removed");
  }
}
