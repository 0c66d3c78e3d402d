package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.ScratchDir;
import io.tocsin.util.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The state file's journal (only what changed, a group that goes on breaching not at all) against
 * the reference, the whole state: on random data (breaching, ok and missing values of a few nodes
 * over a few minutes, for monitors with each absent_points mode, keep_firing_for and repeats),
 * saved after every cycle and sometimes compacted, the state read back holds each monitor exactly
 * as it was after the evaluation of the last bucket it records (all but the last value, which is
 * not saved). The counts kept as groups change equal a count of the groups.
 */
class StateJournalPropertiesTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final List<String> ABSENT = List.of("ignore", "zero", "alert");

  @Property(tries = 30)
  void journal_readBack_isTheStateAfterTheLastSavedEvaluation(
      @ForAll @Size(min = 60, max = 60) List<@IntRange(min = 0, max = 999) Integer> choices) throws Exception {
    try (ScratchDir dir = ScratchDir.create("state-journal")) {
      check(dir.path(), choices);
    }
  }

  private static void check(Path dir, List<Integer> choices) throws Exception {
    int next = 0;
    MutableClock clock = new MutableClock(T0);
    SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
    StringBuilder yaml = new StringBuilder("monitors:\n");
    for (int m = 0; m < 2; m++) {
      yaml.append("""
            - name: M%d
              metrics: [up as $up]
              query: [group by node, $up]
              min_allowed_value: 1
              for_duration: %dm
              keep_firing_for: %dm
              repeat_interval: 3m
              absent_points: %s
              evaluation_delay: 0s
          """.formatted(m, 1 + choices.get(next++) % 3, choices.get(next++) % 3, ABSENT.get(choices.get(next++) % 3)));
    }
    long minJournal = choices.get(next++) % 2 == 0 ? 0 : StateFile.MIN_JOURNAL_BYTES;
    MonitorEngine engine = new MonitorEngine(store, (monitor, events) -> { }, clock, new StateFile(dir, minJournal),
        null, Downtime.before(T0.toEpochMilli()));
    engine.load(new RuleFiles(name -> null).parse(Map.of("r.yml", yaml.toString())).monitors());
    int nodes = 1 + choices.get(next++) % 4;
    // Each monitor's state after each evaluation, by the end of its last bucket.
    Map<String, Map<Long, MonitorStatus>> after = new HashMap<>();
    for (int minute = 0; next < choices.size() - nodes; minute++) {
      for (int n = 0; n < nodes; n++) {
        int choice = choices.get(next++) % 5;
        if (choice < 4) {
          double v = choice < 2 ? 0 : 1;
          long t = T0.toEpochMilli() + minute * 60_000L + 10_000;
          store.write("up", MetricKind.GAUGE, Labels.of("node", "n" + n), s -> s.append(t, v));
        }
      }
      clock.set(T0.plus(Duration.ofMinutes(minute + 1)));
      engine.evaluateDue(clock.millis());
      engine.persistIfChanged();
      for (MonitorStatus s : engine.monitors()) {
        after.computeIfAbsent(s.definition().stateKey(), k -> new HashMap<>()).put(s.lastBucketEnd(), s);
        assertThat(engine.count(State.FIRING)).isEqualTo(engine.monitors().stream().mapToLong(m -> m.count(State.FIRING)).sum());
        assertThat(engine.count(State.PENDING)).isEqualTo(engine.monitors().stream().mapToLong(m -> m.count(State.PENDING)).sum());
      }
      assertThat(engine.summaries()).extracting(MonitorSummary::state)
          .isEqualTo(engine.monitors().stream().map(MonitorStatus::state).toList());
    }

    StateFile.Saved read = new StateFile(dir).load();
    assertThat(read.monitors()).hasSize(2);
    for (StateFile.SavedMonitor m : read.monitors()) {
      MonitorStatus reference = after.get(m.key()).get(m.lastBucketEnd());
      assertThat(reference).as("an evaluation ended at %d", m.lastBucketEnd()).isNotNull();
      boolean keepAll = reference.definition().absentPoints() != AbsentPoints.IGNORE;
      long interval = reference.definition().groupingInterval().toMillis();
      List<GroupState> expected = new ArrayList<>();
      reference.groups().stream().filter(g -> SavedForm.kept(g, keepAll)).map(StateJournalPropertiesTest::withoutValue)
          .forEach(expected::add);
      List<GroupState> restored = m.groups().stream().map(g -> withoutValue(g.toState(m.lastBucketEnd(), interval)))
          .sorted(Comparator.comparing(GroupState::labels)).toList();
      assertThat(restored).as(m.key()).isEqualTo(expected);
    }
    assertThat(read.history()).isEqualTo(engine.history().entries());
  }

  private static GroupState withoutValue(GroupState g) {
    return new GroupState(g.labels(), g.state(), g.streak(), g.activeAt(), g.firedAt(), g.resolvedAt(), g.lastBreachEnd(),
        g.lastValueEnd(), Double.NaN, g.lastNotified());
  }
}
