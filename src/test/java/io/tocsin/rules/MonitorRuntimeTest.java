package io.tocsin.rules;

import static io.tocsin.rules.RuntimeFixture.minute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tocsin.query.eval.EvaluationCache;
import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.rules.AlertEvent.Type;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.util.MutableClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The state machine driven bucket by bucket: one-minute buckets, evaluated right at each bucket's
 * end (no evaluation delay), with a simulated clock.
 */
class MonitorRuntimeTest {
  private static final Labels A = Labels.of("node", "a");
  private static final Labels B = Labels.of("node", "b");

  private final RuntimeFixture fixture = new RuntimeFixture();
  private final MutableClock clock = fixture.clock;
  private final SeriesStore store = fixture.store;
  private final QueryEvaluator evaluator = fixture.evaluator;
  private MonitorRuntime runtime;

  private void monitor(String extra) throws Exception {
    String yaml = "monitors:\n  - name: up\n    metrics: [up as $up]\n    query: [group by node, $up]\n"
        + "    evaluation_delay: 0s\n" + extra.indent(4);
    runtime = RuntimeFixture.runtime(yaml);
  }

  /** A sample in minute {@code m}'s bucket. */
  private void value(Labels node, int m, double v) {
    store.write("up", MetricKind.GAUGE, node, s -> s.append(minute(m) + 30_000, v));
  }

  /** Evaluates at the end of minute {@code m - 1}'s bucket, that is at minute {@code m}. */
  private List<AlertEvent> evaluateAt(int m) {
    clock.set(Instant.ofEpochMilli(minute(m)));
    return runtime.evaluate(evaluator, new EvaluationCache(), minute(m), Downtime.NONE);
  }

  private GroupState group(Labels labels) {
    return runtime.snapshot().groups().stream().filter(g -> g.labels().equals(labels)).findFirst().orElse(null);
  }

  private State state(Labels labels) {
    GroupState g = group(labels);
    return g == null ? null : g.state();
  }

  @Test
  void firesExactlyAtTheNthBreachingBucket() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 3m");
    for (int m = 0; m < 4; m++) {
      value(A, m, 0);
      value(B, m, 1);
    }

    assertThat(evaluateAt(1)).isEmpty();
    assertThat(state(A)).isEqualTo(State.PENDING);
    assertThat(evaluateAt(2)).isEmpty();
    assertThat(state(A)).isEqualTo(State.PENDING);
    List<AlertEvent> events = evaluateAt(3);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(Type.FIRING);
      assertThat(e.labels()).isEqualTo(A);
      assertThat(e.value()).isEqualTo(0);
      assertThat(e.threshold()).isEqualTo(1);
      assertThat(e.activeAt()).isEqualTo(minute(0));
      assertThat(e.firedAt()).isEqualTo(minute(3));
      assertThat(e.at()).isEqualTo(minute(3));
    });
    assertThat(state(A)).isEqualTo(State.FIRING);
    assertThat(state(B)).isEqualTo(State.OK);
    assertThat(evaluateAt(4)).isEmpty(); // still firing: no new event
    assertThat(runtime.snapshot().state()).isEqualTo("firing");
  }

  @Test
  void active_keepsAtMostTheLimit_firingFirstThenByLabels_andCountsThemAll() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 2m");
    Labels c = Labels.of("node", "c");
    Labels d = Labels.of("node", "d");
    for (int m = 0; m < 2; m++) {
      value(A, m, m == 0 ? 1 : 0); // breaches from minute 1: pending
      value(B, m, 0);
      value(c, m, 0);
      value(d, m, 1); // ok
    }
    evaluateAt(1);
    evaluateAt(2);

    ActiveGroups two = runtime.active(true, 2);
    assertThat(two.status().groups()).extracting(GroupState::labels, GroupState::state)
        .containsExactly(tuple(B, State.FIRING), tuple(c, State.FIRING));
    assertThat(two.firing()).isEqualTo(2);
    assertThat(two.pending()).isEqualTo(1);
    assertThat(two.leftOut()).isEqualTo(1);
    assertThat(runtime.active(true, 10).status().groups()).extracting(GroupState::labels).containsExactly(B, c, A);
    ActiveGroups none = runtime.active(false, 0);
    assertThat(none.status().groups()).isEmpty();
    assertThat(none.leftOut()).isEqualTo(3);
    assertThat(none.status().evaluatedHere()).isFalse();
  }

  @Test
  void pendingFallsBackToOkWithoutAnEvent() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 3m");
    value(A, 0, 0);
    value(A, 1, 0);
    value(A, 2, 1);

    evaluateAt(1);
    evaluateAt(2);
    assertThat(evaluateAt(3)).isEmpty();
    assertThat(state(A)).isEqualTo(State.OK);
    assertThat(group(A).activeAt()).isZero();
  }

  @Test
  void firingResolvesOnAGoodBucket_andABreachAgainStartsOverAtPending() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 2m");
    double[] values = {0, 0, 1, 0, 0};
    for (int m = 0; m < values.length; m++) {
      value(A, m, values[m]);
    }
    evaluateAt(1);
    assertThat(evaluateAt(2)).extracting(AlertEvent::type).containsExactly(Type.FIRING);

    List<AlertEvent> resolved = evaluateAt(3);
    assertThat(resolved).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(Type.RESOLVED);
      assertThat(e.resolvedAt()).isEqualTo(minute(3));
      assertThat(e.firedAt()).isEqualTo(minute(2));
      assertThat(e.reason()).isEmpty();
    });
    assertThat(state(A)).isEqualTo(State.OK);

    assertThat(evaluateAt(4)).isEmpty();
    assertThat(state(A)).isEqualTo(State.PENDING);
    assertThat(group(A).activeAt()).isEqualTo(minute(3));
    assertThat(evaluateAt(5)).extracting(AlertEvent::type).containsExactly(Type.FIRING);
  }

  @Test
  void keepFiringFor_holdsTheAlertAfterTheLastBreach() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 1m\nkeep_firing_for: 2m");
    double[] values = {0, 1, 1, 1};
    for (int m = 0; m < values.length; m++) {
      value(A, m, values[m]);
    }
    assertThat(evaluateAt(1)).extracting(AlertEvent::type).containsExactly(Type.FIRING);
    assertThat(evaluateAt(2)).isEmpty(); // 1m since the last breach
    assertThat(state(A)).isEqualTo(State.FIRING);
    assertThat(evaluateAt(3)).extracting(AlertEvent::type).containsExactly(Type.RESOLVED); // 2m
  }

  @Test
  void recoveryThresholds_resolveOnlyInsideThem() throws Exception {
    monitor("min_allowed_value: 0.75\nrecovery_min_value: 0.8\nfor_duration: 1m");
    double[] values = {0.5, 0.77, 0.79, 0.85};
    for (int m = 0; m < values.length; m++) {
      value(A, m, values[m]);
    }
    assertThat(evaluateAt(1)).extracting(AlertEvent::type).containsExactly(Type.FIRING);
    assertThat(evaluateAt(2)).isEmpty(); // 0.77: no breach, but not recovered either
    assertThat(evaluateAt(3)).isEmpty();
    assertThat(state(A)).isEqualTo(State.FIRING);
    assertThat(evaluateAt(4)).extracting(AlertEvent::type).containsExactly(Type.RESOLVED);
  }

  @Test
  void forDurationZero_firesOnTheFirstBreachingBucket() throws Exception {
    monitor("max_allowed_value: 10\nfor_duration: 0");
    value(A, 0, 11);
    assertThat(evaluateAt(1)).extracting(AlertEvent::type).containsExactly(Type.FIRING);
  }

  @Test
  void absentIgnore_aGapNeitherBreachesNorClears_andASilentGroupResolvesAsNoData() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 2m");
    value(A, 0, 0);
    value(A, 2, 0); // minute 1 has no value
    evaluateAt(1);
    evaluateAt(2);
    assertThat(state(A)).isEqualTo(State.PENDING);
    assertThat(evaluateAt(3)).extracting(AlertEvent::type).containsExactly(Type.FIRING);

    // Silent from minute 3 on: dropped after max(for_duration, 5 buckets) = 5 minutes.
    for (int m = 4; m < 8; m++) {
      assertThat(evaluateAt(m)).isEmpty();
      assertThat(state(A)).isEqualTo(State.FIRING);
    }
    assertThat(evaluateAt(8)).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(Type.RESOLVED);
      assertThat(e.reason()).isEqualTo("no_data");
    });
    assertThat(state(A)).isNull();
  }

  @Test
  void absentZero_readsAMissingValueAsZero() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 2m\nabsent_points: zero");
    value(A, 0, 1);
    evaluateAt(1);
    assertThat(evaluateAt(2)).isEmpty();
    assertThat(state(A)).isEqualTo(State.PENDING);
    assertThat(evaluateAt(3)).extracting(AlertEvent::type).containsExactly(Type.FIRING);
    assertThat(group(A).value()).isEqualTo(0);
  }

  @Test
  void absentAlert_aKnownGroupWhoseDataVanishesFires() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 2m\nabsent_points: alert");
    value(A, 0, 1);
    value(B, 0, 1);
    value(B, 1, 1);
    value(B, 2, 1);
    evaluateAt(1);
    evaluateAt(2);
    List<AlertEvent> events = evaluateAt(3);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo(Type.FIRING);
      assertThat(e.labels()).isEqualTo(A);
      assertThat(e.value()).isNaN();
    });
    assertThat(state(B)).isEqualTo(State.OK);
  }

  @Test
  void queryError_keepsEveryStateAndReportsIt() throws Exception {
    String yaml = """
        monitors:
          - name: up
            metrics: [up as $up, latency as $lat]
            query: [group by node, $up + p99($lat) as v]
            min_allowed_value: 1
            for_duration: 1m
            evaluation_delay: 0s
        """;
    runtime = RuntimeFixture.runtime(yaml);
    value(A, 0, 0);
    assertThat(evaluateAt(1)).extracting(AlertEvent::type).containsExactly(Type.FIRING);

    // latency arrives as a gauge: p99 cannot read it, and the query fails from now on.
    store.write("latency", MetricKind.GAUGE, A, s -> s.append(minute(1) + 1000, 5));
    value(A, 1, 1); // would resolve, if the query worked
    assertThat(evaluateAt(2)).isEmpty();

    MonitorStatus snapshot = runtime.snapshot();
    assertThat(snapshot.state()).isEqualTo("error");
    assertThat(snapshot.lastError()).isEqualTo("query failed: line 1:7: p99 needs a histogram; $lat is a gauge");
    assertThat(state(A)).isEqualTo(State.FIRING);
  }

  @Test
  void repeatInterval_sendsAFiringAlertAgain() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 1m\nrepeat_interval: 2m");
    for (int m = 0; m < 6; m++) {
      value(A, m, 0);
    }
    assertThat(evaluateAt(1)).extracting(AlertEvent::type).containsExactly(Type.FIRING);
    assertThat(evaluateAt(2)).isEmpty();
    assertThat(evaluateAt(3)).extracting(AlertEvent::type).containsExactly(Type.REPEAT);
    assertThat(evaluateAt(4)).isEmpty();
    assertThat(evaluateAt(5)).extracting(AlertEvent::type).containsExactly(Type.REPEAT);
  }

  @Test
  void severalBucketsAtOnce_areSteppedInOrder() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 2m");
    value(A, 0, 1);
    value(A, 1, 0);
    value(A, 2, 0);
    value(A, 3, 1);
    evaluateAt(1);
    List<AlertEvent> events = evaluateAt(4); // minutes 1, 2 and 3 in one evaluation
    assertThat(events).extracting(AlertEvent::type).containsExactly(Type.FIRING, Type.RESOLVED);
    assertThat(events.get(0).at()).isEqualTo(minute(3));
    assertThat(events.get(1).at()).isEqualTo(minute(4));
  }

  @Test
  void aLongGap_restartsPendingGroups() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 3m");
    value(A, 0, 0);
    value(A, 1, 0);
    evaluateAt(1);
    evaluateAt(2);
    assertThat(group(A).streak()).isEqualTo(2);
    // Ten minutes pass unevaluated (a restart); the data of minutes 2..11 is gone.
    value(A, 11, 0);
    assertThat(evaluateAt(12)).isEmpty();
    assertThat(state(A)).isEqualTo(State.PENDING);
    assertThat(group(A).streak()).isEqualTo(1);
    assertThat(group(A).activeAt()).isEqualTo(minute(11));
  }

  @Test
  void afterARestart_bucketsLostWithTheStoreDoNotCountAsAbsent() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 5m\nabsent_points: alert");
    for (int m = 0; m < 5; m++) {
      value(A, m, 0);
      value(B, m, 1);
    }
    for (int m = 1; m <= 5; m++) {
      evaluateAt(m);
    }
    assertThat(state(A)).isEqualTo(State.FIRING);
    // The process restarts at minute 7 with an empty store: minutes 5 and 6 are lost, not absent.
    MonitorStatus before = runtime.snapshot();
    runtime = new MonitorRuntime(before.definition());
    runtime.restore(before.groups(), before.lastBucketEnd(), false);
    value(B, 7, 1);
    clock.set(Instant.ofEpochMilli(minute(8)));

    assertThat(runtime.evaluate(evaluator, new EvaluationCache(), minute(8), Downtime.before(minute(7)))).isEmpty();
    assertThat(state(A)).isEqualTo(State.FIRING); // no data since the restart: still a breach
    assertThat(state(B)).isEqualTo(State.OK);
    assertThat(group(B).streak()).isZero();
  }

  @Test
  void afterARestart_aBucketDueWhileThePreviousProcessRan_countsAsAbsent_andOnlyTheDowntimeIsSkipped()
      throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 3m\nabsent_points: alert");
    value(A, 0, 1);
    evaluateAt(1);
    // The previous process was last alive at 3:30 without having evaluated minutes 1 and 2 (its
    // evaluation was still running); this one starts at 4:20 with the window recovered.
    MonitorStatus before = runtime.snapshot();
    runtime = new MonitorRuntime(before.definition());
    runtime.restore(before.groups(), before.lastBucketEnd(), false);
    Downtime downtime = new Downtime(minute(3) + 30_000, minute(4) + 20_000);
    clock.set(Instant.ofEpochMilli(minute(5)));

    assertThat(runtime.evaluate(evaluator, new EvaluationCache(), minute(5), downtime)).isEmpty();
    assertThat(state(A)).isEqualTo(State.PENDING); // minutes 1 and 2 breached, 3 and 4 were downtime
    assertThat(group(A).streak()).isEqualTo(2);
    assertThat(group(A).activeAt()).isEqualTo(minute(1));
    clock.set(Instant.ofEpochMilli(minute(6)));
    assertThat(runtime.evaluate(evaluator, new EvaluationCache(), minute(6), downtime))
        .extracting(AlertEvent::type, AlertEvent::at).containsExactly(tuple(Type.FIRING, minute(6)));
  }

  @Test
  void paused_evaluatesNothing() throws Exception {
    monitor("min_allowed_value: 1\nfor_duration: 1m\npaused: true");
    value(A, 0, 0);
    assertThat(evaluateAt(1)).isEmpty();
    assertThat(runtime.snapshot().state()).isEqualTo("paused");
    runtime.pause(false);
    value(A, 1, 0);
    assertThat(evaluateAt(2)).extracting(AlertEvent::type).containsExactly(Type.FIRING);
  }
}
