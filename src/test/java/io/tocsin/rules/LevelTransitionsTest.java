package io.tocsin.rules;

import static io.tocsin.rules.RuntimeFixture.minute;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.query.eval.EvaluationCache;
import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.util.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Severity levels bucket by bucket: one-minute buckets of a hit rate, evaluated at each bucket's
 * end on a simulated clock. Every expected event is worked out by hand in the comments: a
 * level's run counts the buckets in a row breaching it or a higher level.
 */
class LevelTransitionsTest {
  private static final Labels N1 = Labels.of("node", "n1");

  private final RuntimeFixture fixture = new RuntimeFixture();
  private final MutableClock clock = fixture.clock;
  private final SeriesStore store = fixture.store;
  private final QueryEvaluator evaluator = fixture.evaluator;
  private MonitorRuntime runtime;

  /** A hit-rate monitor per node with the given thresholds and levels. */
  private void monitor(String extra) throws Exception {
    String yaml = "monitors:\n  - name: hit rate\n    metrics: [rate as $r]\n    query: [group by node, $r]\n"
        + "    evaluation_delay: 0s\n    repeat_interval: 0\n" + extra.indent(4);
    runtime = RuntimeFixture.runtime(yaml);
  }

  /**
   * Writes {@code values[m]} into minute m's bucket and evaluates at each bucket's end; returns
   * one line per event: {@code <minute> <type> <severity> left=<levels>}.
   */
  private List<String> run(double... values) {
    List<String> events = new ArrayList<>();
    for (int m = 0; m < values.length; m++) {
      long at = minute(m) + 30_000;
      double v = values[m];
      store.write("rate", MetricKind.GAUGE, N1, s -> s.append(at, v));
      clock.set(Instant.ofEpochMilli(minute(m + 1)));
      for (AlertEvent e : runtime.evaluate(evaluator, new EvaluationCache(), minute(m + 1), Downtime.NONE)) {
        assertThat(e.at()).isEqualTo(minute(m + 1));
        events.add((m + 1) + " " + e.type().id() + " " + e.severity() + " left=" + e.left());
      }
    }
    return events;
  }

  private GroupState n1() {
    return runtime.snapshot().groups().stream().filter(g -> g.labels().equals(N1)).findFirst().orElseThrow();
  }

  private static final String WARNING_2M_CRITICAL_3M = """
      min_allowed_value: 0.75
      for_duration: 3m
      levels:
        warning: {min_allowed_value: 0.9, for_duration: 2m}
      """;

  @Test
  void okWarningCriticalWarningResolved_eachTransitionOnce() throws Exception {
    monitor(WARNING_2M_CRITICAL_3M);

    List<String> events = run(
        1.0,   // m0: ok
        0.85,  // m1: warning run 1 (pending)
        0.85,  // m2: warning run 2 = its 2m: firing at warning, at minute 3
        0.7,   // m3: critical run 1; warning goes on
        0.7,   // m4: critical run 2
        0.7,   // m5: critical run 3 = its 3m: escalated, at minute 6
        0.8,   // m6: critical recovered (0.8 >= 0.75), warning still breached: de-escalated, leaving critical
        0.95,  // m7: warning recovered: resolved from warning
        0.95); // m8: nothing

    assertThat(events).containsExactly(
        "3 firing warning left=[]",
        "6 escalated critical left=[]",
        "7 deescalated warning left=[critical]",
        "8 resolved warning left=[]");
  }

  @Test
  void groupTimes_andThresholds_followTheEpisode_notTheLevel() throws Exception {
    monitor(WARNING_2M_CRITICAL_3M);
    run(1.0, 0.85, 0.85, 0.7, 0.7);
    assertThat(n1().state()).isEqualTo(State.FIRING);
    assertThat(n1().levels().levelName()).isEqualTo("warning");
    assertThat(n1().levels().runsByName()).containsExactly(Map.entry("warning", 2), Map.entry("critical", 2));

    List<AlertEvent> escalation = new ArrayList<>();
    store.write("rate", MetricKind.GAUGE, N1, s -> s.append(minute(5) + 30_000, 0.7));
    clock.set(Instant.ofEpochMilli(minute(6)));
    escalation.addAll(runtime.evaluate(evaluator, new EvaluationCache(), minute(6), Downtime.NONE));

    assertThat(escalation).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(AlertEvent.Type.ESCALATED);
      assertThat(e.threshold()).isEqualTo(0.75); // the critical level's
      assertThat(e.activeAt()).isEqualTo(minute(1)); // the breach began at warning
      assertThat(e.firedAt()).isEqualTo(minute(3)); // the episode fired at warning
      assertThat(e.fingerprint()).isEqualTo(AlertEvent.fingerprint("hit-rate", N1)); // one alert at every level
    });
    assertThat(n1().lastNotified()).isEqualTo(minute(6));
  }

  @Test
  void straightToCritical_andBack_resolvesFromCriticalLeavingWarning() throws Exception {
    monitor(WARNING_2M_CRITICAL_3M);

    List<String> events = run(
        0.5,   // m0: warning 1, critical 1
        0.5,   // m1: warning 2: firing at warning
        0.5,   // m2: critical 3: escalated
        1.0);  // m3: both recover at once: resolved from critical; warning's routes must hear it too

    assertThat(events).containsExactly(
        "2 firing warning left=[]",
        "3 escalated critical left=[]",
        "4 resolved critical left=[warning]");
  }

  @Test
  void bothLevelsCompleteInOneBucket_firesAtTheHighest() throws Exception {
    monitor("""
        min_allowed_value: 0.75
        for_duration: 2m
        levels:
          warning: {min_allowed_value: 0.9, for_duration: 2m}
        """);

    List<String> events = run(
        0.5,   // m0: both runs 1
        0.5,   // m1: both runs 2: firing at critical, warning never told
        0.8,   // m2: critical recovers, warning's run (3) is complete: de-escalated, leaving critical
        0.95); // m3: resolved from warning; critical was left already

    assertThat(events).containsExactly(
        "2 firing critical left=[]",
        "3 deescalated warning left=[critical]",
        "4 resolved warning left=[]");
  }

  @Test
  void recoveryThresholds_andKeepFiringFor_applyPerLevel() throws Exception {
    monitor("""
        min_allowed_value: 0.75
        recovery_min_value: 0.8
        for_duration: 1m
        keep_firing_for: 2m
        levels:
          warning: {min_allowed_value: 0.9, for_duration: 1m}
        """);

    List<String> events = run(
        0.7,   // m0: both fire: firing at critical
        0.78,  // m1: critical not breached; 1m since its last breach < keep_firing_for 2m: stays
        0.78,  // m2: 2m since: kept long enough, but 0.78 < recovery 0.8: stays critical
        0.85,  // m3: critical recovers (0.85 >= 0.8, 3m since breach): de-escalated to warning
        0.95,  // m4: warning not breached, 1m since its last breach: kept
        0.95); // m5: 2m since: warning recovers, resolved

    assertThat(events).containsExactly(
        "1 firing critical left=[]",
        "4 deescalated warning left=[critical]",
        "6 resolved warning left=[]");
  }

  @Test
  void pendingAtAHigherLevel_whileFiringAtALowerOne_isNoEvent_andABreakStartsItsRunOver() throws Exception {
    monitor(WARNING_2M_CRITICAL_3M);

    List<String> events = run(
        0.85, 0.85, // m0, m1: firing at warning at minute 2
        0.7, 0.7,   // m2, m3: critical run 2
        0.85,       // m4: critical's run broken (warning goes on)
        0.7, 0.7,   // m5, m6: critical run 2 again: nothing
        0.7);       // m7: critical run 3: escalated at minute 8

    assertThat(events).containsExactly("2 firing warning left=[]", "8 escalated critical left=[]");
  }

  @Test
  void reloadAddingLevels_aFiringGroupGoesOnAtTheLevelItsValueBreaches_andChangesFromThere() throws Exception {
    monitor(WARNING_2M_CRITICAL_3M);
    GroupState firingWithoutLevels = new GroupState(N1, State.FIRING, 5, minute(0), minute(3), 0, minute(5),
        minute(5), 0.8, minute(3));
    runtime.restore(List.of(firingWithoutLevels), minute(5), false);
    assertThat(n1().levels().levelName()).isEqualTo("warning"); // 0.8 breaches warning (0.9), not critical (0.75)

    store.write("rate", MetricKind.GAUGE, N1, s -> s.append(minute(5) + 30_000, 0.95));
    clock.set(Instant.ofEpochMilli(minute(6)));
    assertThat(runtime.evaluate(evaluator, new EvaluationCache(), minute(6), Downtime.NONE))
        .singleElement().satisfies(e -> {
          assertThat(e.type()).isEqualTo(AlertEvent.Type.RESOLVED);
          assertThat(e.severity()).isEqualTo("warning");
          assertThat(e.firedAt()).isEqualTo(minute(3));
        });
  }

  @Test
  void reloadRemovingLevels_dropsTheLevelRuns() throws Exception {
    monitor("min_allowed_value: 0.75\nfor_duration: 1m");
    GroupState atCritical = new GroupState(N1, State.FIRING, 2, minute(0), minute(1), 0, minute(2), minute(2), 0.5,
        minute(1), new LevelRuns(List.of("warning", "critical"), 1, 0b10, new int[] {2, 1}));
    runtime.restore(List.of(atCritical), minute(2), false);

    assertThat(n1().levels()).isSameAs(LevelRuns.NONE);
    assertThat(n1().severity()).isNull();
  }

  @Test
  void aGapInEvaluation_startsAHigherLevelsPendingRunOver_asItDoesAPendingGroup() throws Exception {
    monitor(WARNING_2M_CRITICAL_3M);
    run(0.85, 0.85, 0.7, 0.7); // firing at warning from minute 2, critical's run at 2 of 3
    for (int m = 4; m < 9; m++) {
      long at = minute(m) + 30_000;
      store.write("rate", MetricKind.GAUGE, N1, s -> s.append(at, 0.7));
    }
    clock.set(Instant.ofEpochMilli(minute(9)));

    // Five buckets unevaluated (more than N + 1 = 4): only the last three (minutes 6 to 8) are read,
    // and critical's run starts over there, completing at minute 9, not at minute 7.
    assertThat(runtime.evaluate(evaluator, new EvaluationCache(), minute(9), Downtime.NONE)).singleElement()
        .satisfies(e -> {
          assertThat(e.type()).isEqualTo(AlertEvent.Type.ESCALATED);
          assertThat(e.at()).isEqualTo(minute(9));
        });
  }

  @Test
  void maxThresholds_escalateUpwards() throws Exception {
    monitor("""
        levels:
          info: {max_allowed_value: 50, for_duration: 1m}
          warning: {max_allowed_value: 80, for_duration: 1m}
          error: {max_allowed_value: 95, for_duration: 1m}
        """);

    assertThat(run(60, 90, 99, 70, 10)).containsExactly(
        "1 firing info left=[]",
        "2 escalated warning left=[]",
        "3 escalated error left=[]",
        "4 deescalated info left=[warning, error]",
        "5 resolved info left=[]");
  }
}
