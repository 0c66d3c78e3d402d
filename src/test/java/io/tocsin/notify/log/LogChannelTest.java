package io.tocsin.notify.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.RuleHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no channel declared, alerts go to the log: one evaluation that fires thousands of groups
 * makes a bounded number of lines, and cycles in which they only go on firing make none, nor
 * history entries or outbox files.
 */
class LogChannelTest {
  private static final int NODES = 3_000;

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();

  @Test
  void evaluation_firingThousandsOfGroups_logsABoundedNumberOfLines_andNothingWhileTheyFireOn() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, RuleHarness.shardDown("1m"));
        LogCapture alerts = LogCapture.of("alerts");
        LogCapture engine = LogCapture.of(MonitorEngine.class)) {
      for (int minute = 0; minute < 3; minute++) {
        for (int n = 0; n < NODES; n++) {
          RuleHarness.value(tocsin, "n" + n, minute, 0);
        }
      }
      harness.evaluateAt(tocsin, 1);

      assertThat(tocsin.engine().monitors().get(0).state()).isEqualTo("firing");
      assertThat(alerts.messages()).hasSize(LogNotifier.LOGGED_ALERTS + 1);
      assertThat(alerts.messages().get(LogNotifier.LOGGED_ALERTS))
          .isEqualTo("INFO and 2900 more monitor=\"Shard is down\" firing=2900 resolved=0");
      assertThat(engine.messages()).singleElement().asString()
          .startsWith("INFO monitor \"Shard is down\": firing {node=\"n0\"} value 0")
          .endsWith(" and " + (NODES - 5) + " more");
      int historyAfterFiring = tocsin.engine().history().entries().size();

      harness.evaluateAt(tocsin, 2);
      harness.evaluateAt(tocsin, 3);

      assertThat(alerts.messages()).hasSize(LogNotifier.LOGGED_ALERTS + 1);
      assertThat(engine.messages()).hasSize(1);
      assertThat(tocsin.engine().history().entries()).hasSize(historyAfterFiring);
      try (Stream<Path> outbox = Files.walk(dataDir.resolve("outbox"))) {
        assertThat(outbox.filter(Files::isRegularFile)).isEmpty();
      }
    }
  }
}
