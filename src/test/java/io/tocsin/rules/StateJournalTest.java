package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.history.AlertHistory;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.RuleHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state.json} as a base and a journal: a save appends what changed (a firing group that
 * breaches on is not written again), a line torn by a crash is ignored without losing what came
 * before it, an older whole-document file is read as a base, and the first save after a start
 * compacts.
 */
class StateJournalTest {

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();

  private Tocsin start() throws Exception {
    return harness.start(dataDir, "redis.yml", RuleHarness.shardDown("2m"));
  }

  private Path stateFile() {
    return dataDir.resolve(StateFile.NAME);
  }

  private List<String> lines() throws Exception {
    return Files.readAllLines(stateFile());
  }

  private static List<String> lifecycle(Tocsin tocsin) {
    return tocsin.engine().history().entries().stream().filter(e -> e.channel() == null)
        .map(e -> e.type() + " " + e.labels().get("node")).toList();
  }

  private static GroupState group(Tocsin tocsin, String node) {
    return tocsin.engine().monitors().get(0).groups().stream()
        .filter(g -> g.labels().asMap().get("node").equals(node)).findFirst().orElse(null);
  }

  /** n1 and n2 down from minute 0, firing at 2; n3 down from minute 3, pending at 4. */
  private void fireAndPend(Tocsin tocsin) {
    for (int minute = 0; minute < 4; minute++) {
      RuleHarness.value(tocsin, "n1", minute, 0);
      RuleHarness.value(tocsin, "n2", minute, 0);
      RuleHarness.value(tocsin, "n3", minute, minute < 3 ? 1 : 0);
      harness.evaluateAt(tocsin, minute + 1);
    }
  }

  @Test
  void save_ofFiringGroupsThatBreachOn_appendsTheMonitorWithoutThem() throws Exception {
    try (Tocsin tocsin = start()) {
      fireAndPend(tocsin);

      List<String> lines = lines();
      // The base at the first save (minute 1, pending), then a line a minute: n1 and n2 fire at 2 and breach on.
      assertThat(lines).hasSize(4);
      assertThat(lines.get(0)).contains("\"n1\"", "\"n2\"", "\"state\":\"pending\"");
      assertThat(lines.get(1)).contains("\"n1\"", "\"n2\"", "\"state\":\"firing\"");
      assertThat(lines.get(2)).contains("\"last_bucket_end\":" + RuleHarness.T0.plusSeconds(180).toEpochMilli(),
          "\"groups\":[]");
      assertThat(String.join("\n", lines.subList(2, 4))).doesNotContain("\"n1\"", "\"n2\"");
      assertThat(lines.get(3)).contains("\"n3\"", "\"state\":\"pending\"");
    }
  }

  @Test
  void restart_afterJournaledCycles_restoresEachGroupAsItWas() throws Exception {
    GroupState n1;
    GroupState n3;
    try (Tocsin first = start()) {
      fireAndPend(first);
      n1 = group(first, "n1");
      n3 = group(first, "n3");
    }
    try (Tocsin second = start()) {
      // All but the last value, which is not saved: the next evaluation reads it again.
      assertThat(group(second, "n1")).usingRecursiveComparison().ignoringFields("value").isEqualTo(n1);
      assertThat(group(second, "n3")).isEqualTo(n3);
      assertThat(n1.streak()).isEqualTo(4);
      assertThat(lifecycle(second)).containsExactly("firing n2", "firing n1");
    }
  }

  @Test
  void journalLineTornByACrash_isIgnored_andWhatCameBeforeIsRestored() throws Exception {
    try (Tocsin first = start()) {
      fireAndPend(first);
    }
    byte[] bytes = Files.readAllBytes(stateFile());
    List<String> lines = lines();
    // The crash hit the line of minute 4, which holds n3's pending state.
    int keep = bytes.length - lines.get(3).length() / 2 - 1;
    Files.write(stateFile(), Arrays.copyOf(bytes, keep));

    try (LogCapture log = LogCapture.of(StateFile.class); Tocsin second = start()) {
      assertThat(log.messages()).singleElement().asString()
          .startsWith("WARN " + stateFile() + ": ignoring the last ")
          .endsWith(" bytes of the journal (after 2 changes), a write that did not finish");
      assertThat(group(second, "n1").state()).isEqualTo(GroupState.State.FIRING);
      assertThat(group(second, "n3")).isNull();
      assertThat(second.engine().monitors().get(0).lastBucketEnd())
          .isEqualTo(RuleHarness.T0.plusSeconds(180).toEpochMilli());
      try (Stream<Path> files = Files.list(dataDir)) {
        assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".bad"));
      }
      harness.evaluateAt(second, 5);
    }
    // The first save after the start compacted: the torn line is gone, the file reads whole.
    assertThat(lines().get(0)).contains("\"version\":1");
    assertThat(new StateFile(dataDir).load().monitors()).singleElement()
        .satisfies(m -> assertThat(m.lastBucketEnd()).isEqualTo(RuleHarness.T0.plusSeconds(300).toEpochMilli()));
  }

  @Test
  void stateJsonWrittenWhole_asBeforeTheJournal_isRestored_andCompactedAtTheFirstSave() throws Exception {
    try (Tocsin first = start()) {
      fireAndPend(first);
      first.engine().persistOnStop();
    }
    // Compact it into one document, then write it as versions before the journal did: no relative times, no newline.
    String whole;
    try (Tocsin compacting = start()) {
      compacting.engine().persistOnStop();
      whole = lines().get(0);
    }
    String old = whole.replaceAll(",\"last_breach_at_end\":(true|false),\"last_value_at_end\":(true|false)", "");
    assertThat(old).doesNotContain("at_end");
    Files.writeString(stateFile(), old, StandardCharsets.UTF_8);

    try (Tocsin second = start()) {
      assertThat(group(second, "n1").state()).isEqualTo(GroupState.State.FIRING);
      assertThat(group(second, "n3").state()).isEqualTo(GroupState.State.PENDING);
      RuleHarness.value(second, "n1", 4, 0);
      RuleHarness.value(second, "n3", 4, 0);
      harness.evaluateAt(second, 5);
      assertThat(group(second, "n3").state()).isEqualTo(GroupState.State.FIRING);
      assertThat(lifecycle(second)).containsExactly("firing n3", "firing n2", "firing n1");
    }
    assertThat(lines().get(0)).contains("\"last_breach_at_end\"");
  }

  @Test
  void reload_removingAMonitor_dropsItsSavedState() throws Exception {
    try (Tocsin first = start()) {
      fireAndPend(first);
      first.engine().load(List.of());
      first.engine().persistIfChanged();
    }
    try (Tocsin second = start()) {
      assertThat(second.engine().monitors().get(0).groups()).isEmpty();
      assertThat(second.engine().history().entries()).extracting(AlertHistory.Entry::detail).contains("monitor_removed");
    }
  }
}
