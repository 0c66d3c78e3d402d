package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.history.AlertHistory;
import io.tocsin.testing.RuleHarness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** repeat_strategy and repeat_limit through a running Tocsin, minute by minute on a simulated clock. */
class RepeatStrategyTest {
  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();

  /** The minutes after T0 of each lifecycle event, as "type@minute". */
  private static List<String> events(Tocsin tocsin) {
    List<AlertHistory.Entry> entries = new ArrayList<>(tocsin.engine().history().entries());
    Collections.reverse(entries);
    return entries.stream().filter(e -> e.channel() == null)
        .map(e -> e.type() + "@" + (e.at() - RuleHarness.T0.toEpochMilli()) / 60_000).toList();
  }

  private List<String> run(String repeat, int minutes) throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, RuleHarness.shardDown("1m") + "    repeat_interval: 2m\n" + repeat)) {
      for (int minute = 0; minute < minutes; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 0);
        harness.evaluateAt(tocsin, minute + 1);
      }
      return events(tocsin);
    }
  }

  @Test
  void exponential_doublesTheWaitBetweenRepeats() throws Exception {
    // Fires at minute 1; repeats due 2, 6 and 14 minutes later.
    assertThat(run("    repeat_strategy: exponential\n", 20))
        .containsExactly("firing@1", "repeat@3", "repeat@7", "repeat@15");
  }

  @Test
  void linear_withALimit_stopsRepeating() throws Exception {
    // Repeats due 2, 6, 12 minutes after firing; the limit keeps the third from going out.
    assertThat(run("    repeat_strategy: linear\n    repeat_limit: 2\n", 20))
        .containsExactly("firing@1", "repeat@3", "repeat@7");
  }

  @Test
  void fixed_isTheDefault() throws Exception {
    assertThat(run("", 8)).containsExactly("firing@1", "repeat@3", "repeat@5", "repeat@7");
  }
}
