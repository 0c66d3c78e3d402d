package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.store.Labels;
import io.tocsin.testing.RuleHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's level and runs survive a restart through the state journal: the restored alert goes
 * on at its level (no second firing), and a file without levels is written as before.
 */
class LevelStateTest {
  /** Shard health: below 1 is warning, below 0.5 critical, each after one minute. */
  private static final String LEVELS = RuleHarness.shardDown("1m").replace("min_allowed_value: 1",
      "min_allowed_value: 0.5\n    levels: {warning: {min_allowed_value: 1}}");

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();

  private static List<String> lifecycle(Tocsin tocsin) {
    return tocsin.engine().history().entries().stream().filter(e -> e.channel() == null)
        .map(e -> e.type() + " " + e.labels()).toList();
  }

  @Test
  void restart_keepsTheLevel_andTheNextChangeIsADeescalation() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, LEVELS)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1); // both levels' runs complete: firing at critical
      assertThat(Files.readString(dataDir.resolve(StateFile.NAME)))
          .contains("\"level\":\"critical\",\"runs\":{\"warning\":1,\"critical\":1},\"held\":[\"critical\"]");
    }
    try (Tocsin tocsin = harness.start(dataDir, LEVELS)) {
      GroupState g = tocsin.engine().monitors().get(0).groups().get(0);
      assertThat(g.levels().levelName()).isEqualTo("critical");
      assertThat(g.levels().heldNames()).containsExactly("critical");

      RuleHarness.value(tocsin, "n1", 1, 0);
      harness.evaluateAt(tocsin, 2); // critical goes on: nothing
      RuleHarness.value(tocsin, "n1", 2, 0.7);
      harness.evaluateAt(tocsin, 3); // critical recovers, warning goes on

      assertThat(lifecycle(tocsin)).containsExactly(
          "deescalated {node=n1, severity=warning}",
          "firing {node=n1, severity=critical}");
    }
  }

  @Test
  void withoutLevels_theJournalHasNoLevelFields() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, RuleHarness.shardDown("1m"))) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      String state = Files.readString(dataDir.resolve(StateFile.NAME));

      assertThat(state).contains("\"state\":\"firing\"").doesNotContain("\"level\"", "\"runs\"", "\"held\"");
      assertThat(lifecycle(tocsin)).containsExactly("firing {node=n1}");
    }
  }

  @Test
  void savedGroup_roundTrip_keepsTheLevelRuns_andALineWithoutThemHasNone() {
    LevelRuns runs = new LevelRuns(List.of("warning", "critical"), 1, 0b11, new int[] {3, 2});
    GroupState g = new GroupState(Labels.of("node", "n1"), GroupState.State.FIRING, 3, 10, 20, 0, 60,
        60, 0.2, 20, runs);

    StateFile.SavedGroup saved = StateFile.SavedGroup.of(g, 60);
    assertThat(saved.toState(60, 10)).isEqualTo(g);
    StateFile.SavedGroup old = new StateFile.SavedGroup(Map.of("node", "n1"), "firing", 3, 10, 20, 0, 60, 60, 0.2, 20,
        true, true, null, null, null);
    assertThat(old.toState(60, 10).levels()).isSameAs(LevelRuns.NONE);
  }
}
