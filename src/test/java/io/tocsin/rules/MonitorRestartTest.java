package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Monitors across a restart (design section 8), bucket by bucket on a simulated clock. A new
 * engine over the same {@link SeriesStore} stands in for a restart whose store recovered its
 * window from the write-ahead log; a new engine over a new, empty store for one without it. The
 * seed's monitors have one-minute buckets, evaluated 30 s after their end.
 */
class MonitorRestartTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Labels N1 = Labels.of("cluster", "c1", "bdb", "1", "node", "n1");
  private static final Labels N2 = Labels.of("cluster", "c1", "bdb", "1", "node", "n2");
  private static final String HIT_RATE = "Redis read hit rate < 75%";
  private static final String SHARD_DOWN_ALERT = """
      monitors:
        - name: Shard is down
          metrics: [redis_up as $up]
          query: ["group by cluster, bdb, node", $up]
          min_allowed_value: 1
          for_duration: 3m
          absent_points: alert
      """;

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private SeriesStore store = newStore();
  /** What reached the channels, over every process. */
  private final List<String> sent = new ArrayList<>();
  private MonitorEngine engine;
  private List<MonitorDefinition> monitors;

  private SeriesStore newStore() {
    return new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
  }

  private static long at(int minute, int second) {
    return T0.toEpochMilli() + minute * 60_000L + second * 1000L;
  }

  private void start(List<MonitorDefinition> definitions, boolean storeKeepsWindow) {
    monitors = definitions;
    engine = MonitorEngine.persistent(store, (monitor, events) -> events.forEach(e -> sent.add(
        e.type().id() + " " + e.labels().asMap().get("node") + " at " + Duration.ofMillis(e.at() - T0.toEpochMilli())
            + (e.reason().isEmpty() ? "" : " " + e.reason()))),
        clock, dataDir, new PrometheusRegistry(), storeKeepsWindow);
    engine.load(definitions);
  }

  private static List<MonitorDefinition> seed() throws Exception {
    return new RuleFiles(name -> null).load(List.of(Path.of("rules/redis.yml"))).monitors();
  }

  private static List<MonitorDefinition> rules(String yaml) throws Exception {
    return new RuleFiles(name -> null).parse(Map.of("r.yml", yaml)).monitors();
  }

  /** A graceful stop at {@code minute:second}: the scheduler's last save. */
  private void stopAt(int minute, int second) {
    clock.setMillis(at(minute, second));
    engine.persistOnStop();
  }

  /** A restart at {@code minute:second}: over the same store (recovered) or a new, empty one. */
  private void restartAt(int minute, int second, boolean storeKeepsWindow) {
    clock.setMillis(at(minute, second));
    if (!storeKeepsWindow) {
      store = newStore();
    }
    start(monitors, storeKeepsWindow);
  }

  /** One export of the hit-rate counters' increases, ten seconds into the minute. */
  private void hitRate(Labels node, int minute, int hits, int misses) {
    store.write("redis_keyspace_read_hits", MetricKind.COUNTER, node, s -> s.append(at(minute, 10), hits));
    store.write("redis_keyspace_read_misses", MetricKind.COUNTER, node, s -> s.append(at(minute, 10), misses));
  }

  private void rejected(Labels node, int minute, double increase) {
    store.write("redis_rejected", MetricKind.COUNTER, node, s -> s.append(at(minute, 10), increase));
  }

  private void up(Labels node, int minute, double value) {
    store.write("redis_up", MetricKind.GAUGE, node, s -> s.append(at(minute, 10), value));
  }

  /** The scheduler's tick at {@code minute:30}, when the bucket of minute - 1 is due. */
  private void evaluateAt(int minute) {
    clock.setMillis(at(minute, 30));
    engine.evaluateDue(clock.millis());
    engine.persistIfChanged();
  }

  private GroupState group(String monitor, Labels labels) {
    return engine.monitors().stream().filter(m -> m.definition().name().equals(monitor)).findFirst().orElseThrow()
        .groups().stream().filter(g -> g.labels().equals(labels)).findFirst().orElse(null);
  }

  private State state(String monitor, Labels labels) {
    GroupState g = group(monitor, labels);
    return g == null ? null : g.state();
  }

  private List<String> lifecycle() {
    // Delivery entries name a channel; there is none here.
    return engine.history().entries().stream().map(e -> e.type() + " " + e.labels().get("node")).toList();
  }

  @ParameterizedTest(name = "crashed: {0}")
  @ValueSource(booleans = {false, true})
  void firingHitRate_acrossARestart_staysFiringWithoutAResolveOrAnotherFiring(boolean crashed) throws Exception {
    start(seed(), true);
    for (int m = 0; m <= 7; m++) {
      hitRate(N1, m, 50, 50);
      hitRate(N2, m, 90, 10);
      if (m >= 1) {
        evaluateAt(m);
      }
    }
    assertThat(state(HIT_RATE, N1)).isEqualTo(State.FIRING);
    if (!crashed) {
      stopAt(7, 50); // else killed at 7:50: the last save was the tick at 7:30
    }

    restartAt(9, 20, true); // 90 s later; minute 8 was not received
    assertThat(state(HIT_RATE, N1)).isEqualTo(State.FIRING);
    for (int m = 9; m <= 14; m++) {
      hitRate(N1, m, 50, 50);
      hitRate(N2, m, 90, 10);
      evaluateAt(m);
      assertThat(state(HIT_RATE, N1)).isEqualTo(State.FIRING);
      assertThat(state(HIT_RATE, N2)).isEqualTo(State.OK);
    }

    assertThat(sent).containsExactly("firing n1 at PT5M");
    assertThat(lifecycle()).containsExactly("firing n1");
  }

  /**
   * n1's hit rate breaches in minutes 0 to 3; minutes 0 to 2 are evaluated (pending, a streak of
   * 3), minute 3 is stored but not yet evaluated.
   */
  private void breachMinutesZeroToThree() {
    for (int m = 0; m <= 3; m++) {
      hitRate(N1, m, 50, 50);
      if (m >= 1) {
        evaluateAt(m);
      }
    }
  }

  @Test
  void pendingGroup_keepsTheBucketsItHadBeforeARestart_andFiresWhenItWouldHaveWithoutIt() throws Exception {
    start(seed(), true);
    breachMinutesZeroToThree();
    assertThat(group(HIT_RATE, N1).streak()).isEqualTo(3); // minutes 0, 1 and 2 breached
    stopAt(3, 55); // minute 3 is in the store but not evaluated yet

    restartAt(5, 25, true);
    // A collector's retry queue delivers minute 4, exported while Tocsin was down.
    hitRate(N1, 4, 50, 50);
    evaluateAt(5);

    assertThat(sent).containsExactly("firing n1 at PT5M"); // the time it fires without a restart
    assertThat(group(HIT_RATE, N1).activeAt()).isEqualTo(at(0, 0));
  }

  @Test
  void pendingGroup_whoseDowntimeBucketIsLost_neitherStartsOverNorCountsIt() throws Exception {
    start(seed(), true);
    breachMinutesZeroToThree();
    stopAt(3, 55);

    restartAt(5, 25, true); // minute 4 was never received
    hitRate(N1, 5, 50, 50);
    evaluateAt(5);
    assertThat(state(HIT_RATE, N1)).isEqualTo(State.PENDING);
    assertThat(group(HIT_RATE, N1).streak()).isEqualTo(4); // minutes 0-3: the recovered minute 3 counts
    evaluateAt(6);

    assertThat(sent).containsExactly("firing n1 at PT6M");
    assertThat(group(HIT_RATE, N1).activeAt()).isEqualTo(at(0, 0));
  }

  @Test
  void downtimeLongerThanNPlusOneBuckets_startsPendingGroupsOver() throws Exception {
    start(seed(), true);
    breachMinutesZeroToThree();
    stopAt(3, 55);

    restartAt(13, 25, true); // ten minutes down: more than N + 1 = 6 buckets
    hitRate(N1, 13, 50, 50);
    evaluateAt(14);

    assertThat(state(HIT_RATE, N1)).isEqualTo(State.PENDING);
    assertThat(group(HIT_RATE, N1).streak()).isEqualTo(1);
    assertThat(group(HIT_RATE, N1).activeAt()).isEqualTo(at(13, 0));
    assertThat(sent).isEmpty();
  }

  @Test
  void longStop_theBucketsRecoveredFromBeforeItStillCount_thenPendingGroupsStartOver() throws Exception {
    start(seed(), true);
    for (int m = 0; m <= 4; m++) {
      hitRate(N1, m, 50, 50);
      if (m >= 2) {
        hitRate(N2, m, 50, 50);
      }
      if (m >= 1) {
        evaluateAt(m);
      }
    }
    assertThat(group(HIT_RATE, N1).streak()).isEqualTo(4);
    stopAt(4, 50); // minute 4, the fifth breach of n1, is in the store but not evaluated yet

    restartAt(14, 50, true);
    hitRate(N2, 15, 50, 50);
    evaluateAt(15);
    assertThat(sent).containsExactly("firing n1 at PT5M");
    assertThat(state(HIT_RATE, N2)).isEqualTo(State.OK); // minutes 2 to 4 breached, then ten minutes unseen
    evaluateAt(16);
    assertThat(state(HIT_RATE, N2)).isEqualTo(State.PENDING);
    assertThat(group(HIT_RATE, N2).activeAt()).isEqualTo(at(15, 0));
    assertThat(state(HIT_RATE, N1)).isEqualTo(State.FIRING);
    assertThat(sent).containsExactly("firing n1 at PT5M");
  }

  @Test
  void absentAlert_aShortDowntimeIsNotAnAbsence() throws Exception {
    start(rules(SHARD_DOWN_ALERT), true);
    for (int m = 0; m <= 4; m++) {
      up(N1, m, 1);
      up(N2, m, 1);
      if (m >= 1) {
        evaluateAt(m);
      }
    }
    stopAt(4, 50);

    restartAt(6, 20, true); // minute 5 and the start of minute 6 were not received
    for (int m = 6; m <= 10; m++) {
      up(N1, m, 1);
      up(N2, m, 1);
      evaluateAt(m + 1);
      assertThat(state("Shard is down", N1)).isEqualTo(State.OK);
      assertThat(state("Shard is down", N2)).isEqualTo(State.OK);
    }
    assertThat(sent).isEmpty();
  }

  /**
   * Recovering the store took minutes (a large window): the receivers opened only at 10:20, so
   * minutes 6 to 9 could not be received either, and are downtime too, not absences.
   */
  @Test
  void absentAlert_theTimeRecoveryTook_isDowntimeUntilTheReceiversOpen() throws Exception {
    start(rules(SHARD_DOWN_ALERT), true);
    for (int m = 0; m <= 4; m++) {
      up(N1, m, 1);
      if (m >= 1) {
        evaluateAt(m);
      }
    }
    stopAt(4, 50);

    restartAt(6, 20, true);
    engine.receivingSince(at(10, 20));
    evaluateAt(10);
    assertThat(state("Shard is down", N1)).isEqualTo(State.OK);
    for (int m = 10; m <= 12; m++) {
      up(N1, m, 1);
      evaluateAt(m + 1);
      assertThat(state("Shard is down", N1)).isEqualTo(State.OK);
    }
    assertThat(sent).isEmpty();
  }

  @Test
  void absentAlert_withAnEmptyStoreAfterTheRestart_doesNotFireOnTheLostWindow() throws Exception {
    start(rules(SHARD_DOWN_ALERT), false);
    for (int m = 0; m <= 4; m++) {
      up(N1, m, 1);
      if (m >= 1) {
        evaluateAt(m);
      }
    }
    stopAt(4, 50);

    restartAt(6, 20, false); // the write-ahead log is off: minutes 4 to 6 are gone
    for (int m = 6; m <= 10; m++) {
      up(N1, m, 1);
      evaluateAt(m + 1);
      assertThat(state("Shard is down", N1)).isEqualTo(State.OK);
    }
    assertThat(sent).isEmpty();
  }

  @Test
  void absentAlert_aGroupWithoutDataAfterTheRestart_firesOnBucketsAfterTheRestartOnly() throws Exception {
    start(rules(SHARD_DOWN_ALERT), true);
    for (int m = 0; m <= 4; m++) {
      up(N1, m, 1);
      up(N2, m, 1);
      if (m >= 1) {
        evaluateAt(m);
      }
    }
    stopAt(4, 50);

    restartAt(6, 20, true); // n2's exporter did not come back
    for (int m = 6; m <= 9; m++) {
      up(N1, m, 1);
      evaluateAt(m + 1);
    }
    // Minute 4 was recovered with a value, 5 and 6 were downtime; 7, 8 and 9 are absences.
    assertThat(sent).containsExactly("firing n2 at PT10M");
    assertThat(group("Shard is down", N2).activeAt()).isEqualTo(at(7, 0));
  }

  @Test
  void absentZero_aLostDowntimeBucketIsNotAZero_soAFiringAlertDoesNotResolve() throws Exception {
    start(rules("""
        monitors:
          - name: Rejections
            metrics: [redis_rejected as $r]
            query: ["group by cluster, bdb, node", $r]
            max_allowed_value: 10
            for_duration: 2m
            absent_points: zero
        """), true);
    for (int m = 0; m <= 3; m++) {
      rejected(N1, m, 20);
      if (m >= 1) {
        evaluateAt(m);
      }
    }
    stopAt(3, 50);

    restartAt(5, 20, true); // minute 4 was never received: not 0 rejections, but unknown
    for (int m = 5; m <= 7; m++) {
      rejected(N1, m, 20);
      evaluateAt(m + 1);
      assertThat(state("Rejections", N1)).isEqualTo(State.FIRING);
    }
    assertThat(sent).containsExactly("firing n1 at PT2M");
  }

  @Test
  void absentIgnore_aGroupSilentSinceBeforeTheStop_isDroppedAfterFiveMinutesOfSilenceSeenByTocsin() throws Exception {
    start(seed(), true);
    for (int m = 0; m <= 4; m++) {
      hitRate(N1, m, 50, 50);
      if (m >= 1) {
        evaluateAt(m);
      }
    }
    evaluateAt(5);
    assertThat(sent).containsExactly("firing n1 at PT5M");
    evaluateAt(6); // n1 is silent from minute 5 on
    evaluateAt(7);
    stopAt(7, 45);

    restartAt(9, 15, true);
    // Silent while Tocsin ran: minutes 5 and 6, then 10, 11 and 12; minutes 7 to 9 were downtime.
    for (int m = 10; m <= 12; m++) {
      evaluateAt(m);
      assertThat(state(HIT_RATE, N1)).isEqualTo(State.FIRING);
    }
    evaluateAt(13);

    assertThat(sent).containsExactly("firing n1 at PT5M", "resolved n1 at PT13M no_data");
    assertThat(state(HIT_RATE, N1)).isNull();
    assertThat(lifecycle()).containsExactly("resolved n1", "firing n1");
  }
}
