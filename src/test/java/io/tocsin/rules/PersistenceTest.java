package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.history.AlertHistory;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.RuleHarness;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Monitor state survives a restart: no forgotten alert, no duplicate firing event. */
class PersistenceTest {
  private static final Instant T0 = RuleHarness.T0;

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final MutableClock clock = harness.clock();

  private Tocsin start() throws Exception {
    return harness.start(dataDir, "redis.yml", RuleHarness.shardDown("2m"));
  }

  private static void down(Tocsin tocsin, int minute) {
    RuleHarness.value(tocsin, "n1", minute, 0);
  }

  private void evaluateAt(Tocsin tocsin, int minute) {
    harness.evaluateAt(tocsin, minute);
  }

  private static List<String> historyTypes(Tocsin tocsin) {
    // Lifecycle events only; delivery entries name a channel.
    return tocsin.engine().history().entries().stream().filter(e -> e.channel() == null)
        .map(AlertHistory.Entry::type).toList();
  }

  private static String state(Tocsin tocsin) {
    return tocsin.engine().monitors().get(0).state();
  }

  @Test
  void restartWhileFiring_staysFiringWithoutAnotherFiringEvent() throws Exception {
    try (Tocsin first = start()) {
      down(first, 0);
      down(first, 1);
      evaluateAt(first, 1);
      evaluateAt(first, 2);
      assertThat(state(first)).isEqualTo("firing");
    }

    try (Tocsin second = start()) {
      assertThat(state(second)).isEqualTo("firing");
      down(second, 2);
      down(second, 3);
      evaluateAt(second, 3);
      evaluateAt(second, 4);
      assertThat(state(second)).isEqualTo("firing");
      assertThat(historyTypes(second)).containsExactly("firing");
    }
  }

  @Test
  void withoutACleanShutdown_theLastWrittenStateIsRestored(@TempDir Path after) throws Exception {
    Tocsin crashed = start();
    down(crashed, 0);
    down(crashed, 1);
    evaluateAt(crashed, 1);
    evaluateAt(crashed, 2); // evaluateMonitors writes the state file
    // A crash: no close(), so nothing more is written. Copy the data as the dead process left it.
    Files.copy(dataDir.resolve("state.json"), after.resolve("state.json"));
    Files.createDirectories(after.resolve("rules"));
    Files.writeString(after.resolve("rules/redis.yml"), RuleHarness.shardDown("2m"));
    crashed.close();

    try (Tocsin restarted = Tocsin.start(TestServers.loopbackConfig(after), clock, false)) {
      assertThat(state(restarted)).isEqualTo("firing");
      assertThat(historyTypes(restarted)).containsExactly("firing");
      GroupState n1 = restarted.engine().monitors().get(0).groups().get(0);
      assertThat(n1.firedAt()).isEqualTo(T0.plusSeconds(120).toEpochMilli());
    }
  }

  @Test
  void aTornWrite_leavesThePreviousStateReadable() throws Exception {
    try (Tocsin first = start()) {
      down(first, 0);
      down(first, 1);
      evaluateAt(first, 1);
      evaluateAt(first, 2);
    }
    // A crash in the middle of the next save leaves a half-written temporary file behind.
    Files.writeString(dataDir.resolve("state.json.tmp"), "{\"version\":1,\"monitors\":[{\"key\":");
    try (Tocsin second = start()) {
      assertThat(state(second)).isEqualTo("firing");
    }
  }

  @Test
  void downtimeLongerThanForDuration_doesNotCountAsBreachTime() throws Exception {
    try (Tocsin first = start()) {
      down(first, 0);
      evaluateAt(first, 1);
      assertThat(state(first)).isEqualTo("pending");
    }
    try (Tocsin second = start()) {
      // Back ten minutes later; the data of the downtime is gone, the breach goes on.
      down(second, 10);
      evaluateAt(second, 11);
      assertThat(state(second)).isEqualTo("pending");
      assertThat(second.engine().monitors().get(0).groups().get(0).activeAt())
          .isEqualTo(T0.plus(Duration.ofMinutes(10)).toEpochMilli());
    }
  }

  @Test
  void gracefulStop_writesTheStopTime_whereTheNextStartCountsTheDowntimeFrom() throws Exception {
    Path stateFile = dataDir.resolve(StateFile.NAME);
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/redis.yml"), RuleHarness.shardDown("2m"));
    try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock, true)) {
      // Saved once the first evaluation (of no data) is done; after that nothing changes.
      String evaluated = "\"last_bucket_end\":" + T0.toEpochMilli();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!(Files.exists(stateFile) && Files.readString(stateFile).contains(evaluated))
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(Files.readString(stateFile)).contains(evaluated).contains("\"saved_at\":" + T0.toEpochMilli());
      clock.set(T0.plusSeconds(20)); // no bucket becomes due: nothing changes
    }
    assertThat(Files.readString(stateFile)).contains("\"saved_at\":" + T0.plusSeconds(20).toEpochMilli());
  }

  @Test
  void groupsThatStayOk_areNeitherSavedNorRewrittenEachBucket() throws Exception {
    Labels healthy = Labels.of("node", "n2");
    Path stateFile = dataDir.resolve(StateFile.NAME);
    try (Tocsin tocsin = start()) {
      for (int m = 0; m < 3; m++) {
        int minute = m;
        tocsin.store().write("redis_up", MetricKind.GAUGE, healthy, s -> s.append(T0.toEpochMilli() + minute * 60_000L + 10_000, 1));
      }
      evaluateAt(tocsin, 1);
      String afterFirst = Files.readString(stateFile);
      evaluateAt(tocsin, 2);
      evaluateAt(tocsin, 3);
      assertThat(Files.readString(stateFile)).isEqualTo(afterFirst).doesNotContain("n2");
      assertThat(tocsin.engine().monitors().get(0).groups()).extracting(GroupState::labels).containsExactly(healthy);

      down(tocsin, 3);
      evaluateAt(tocsin, 4);
      assertThat(Files.readString(stateFile)).contains("\"n1\"").contains("pending").doesNotContain("n2");
    }
  }
}
