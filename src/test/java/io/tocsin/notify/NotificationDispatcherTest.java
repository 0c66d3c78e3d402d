package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.Tocsin;
import io.tocsin.history.AlertHistory;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.RuleHarness;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.ConfigException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which channel hears about what, through a running Tocsin on a simulated clock: one message per
 * monitor evaluation and channel, send_resolved, a monitor's channel list, and the default log
 * channel. Deliveries are read back from the alert history.
 */
class NotificationDispatcherTest {
  private static final Instant T0 = RuleHarness.T0;

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final MutableClock clock = harness.clock();

  private Tocsin start(String rules) throws Exception {
    return harness.start(dataDir, rules);
  }

  private static void up(Tocsin tocsin, String node, int minute, double value) {
    RuleHarness.value(tocsin, node, minute, value);
  }

  private void evaluateAt(Tocsin tocsin, int minute) {
    harness.evaluateAt(tocsin, minute);
  }

  /** Delivery entries, oldest first, as "channel type: detail". */
  private static List<String> deliveries(Tocsin tocsin) {
    List<AlertHistory.Entry> entries = new ArrayList<>(tocsin.engine().history().entries());
    Collections.reverse(entries);
    return entries.stream().filter(e -> e.channel() != null)
        .map(e -> e.channel() + " " + e.type() + ": " + e.detail()).toList();
  }

  @Test
  void aHundredGroupsFiringTogether_makeOneMessagePerChannel() throws Exception {
    try (Tocsin tocsin = start(RuleHarness.shardDown("1m") + """
          channels: [a, b]
      channels:
        - {name: a, type: log}
        - {name: b, type: log}
      """)) {
      for (int n = 0; n < 100; n++) {
        up(tocsin, "n" + n, 0, 0);
      }
      evaluateAt(tocsin, 1);

      assertThat(deliveries(tocsin)).containsExactly(
          "a sent: firing, 100 alerts, attempt 1: logged 100 alerts",
          "b sent: firing, 100 alerts, attempt 1: logged 100 alerts");
    }
  }

  @Test
  void sendResolvedFalse_keepsResolutionsFromThatChannelOnly() throws Exception {
    try (Tocsin tocsin = start(RuleHarness.shardDown("1m") + """
      channels:
        - {name: everything, type: log}
        - {name: firing-only, type: log, send_resolved: false}
      """)) {
      up(tocsin, "n1", 0, 0);
      evaluateAt(tocsin, 1);
      up(tocsin, "n1", 1, 1);
      evaluateAt(tocsin, 2);

      assertThat(deliveries(tocsin)).containsExactly(
          "everything sent: firing, 1 alert, attempt 1: logged 1 alerts",
          "firing-only sent: firing, 1 alert, attempt 1: logged 1 alerts",
          "everything sent: resolved, 1 alert, attempt 1: logged 1 alerts");
    }
  }

  @Test
  void aMonitorsChannelList_picksItsChannels() throws Exception {
    try (Tocsin tocsin = start(RuleHarness.shardDown("1m") + """
          channels: [second]
      channels:
        - {name: first, type: log}
        - {name: second, type: log}
      """)) {
      up(tocsin, "n1", 0, 0);
      evaluateAt(tocsin, 1);

      assertThat(deliveries(tocsin)).containsExactly("second sent: firing, 1 alert, attempt 1: logged 1 alerts");
      assertThat(tocsin.notifications().channels()).containsExactly("first", "second");
    }
  }

  @Test
  void withoutChannels_everythingGoesToTheLog() throws Exception {
    try (Tocsin tocsin = start(RuleHarness.shardDown("1m"))) {
      up(tocsin, "n1", 0, 0);
      evaluateAt(tocsin, 1);

      assertThat(tocsin.notifications().channels()).containsExactly("log");
      assertThat(deliveries(tocsin)).containsExactly("log sent: firing, 1 alert, attempt 1: logged 1 alerts");
    }
  }

  @Test
  void everyTransitionAndDelivery_isOneLogLine_whateverTheChannels() throws Exception {
    try (LogCapture engineLog = LogCapture.of(MonitorEngine.class);
        LogCapture dispatcherLog = LogCapture.of(NotificationDispatcher.class);
        Tocsin tocsin = start(RuleHarness.shardDown("1m") + """
          channels:
            - {name: ops, type: log}
          """)) {
      up(tocsin, "n1", 0, 0);
      up(tocsin, "n2", 0, 0);
      evaluateAt(tocsin, 1);
      up(tocsin, "n1", 1, 1);
      evaluateAt(tocsin, 2);

      assertThat(engineLog.messages()).containsExactly(
          "INFO monitor \"Shard is down\": firing {node=\"n1\"} value 0 (breaching since 2026-03-01T12:00:00Z), "
              + "firing {node=\"n2\"} value 0 (breaching since 2026-03-01T12:00:00Z)",
          "INFO monitor \"Shard is down\": resolved {node=\"n1\"}");
      assertThat(dispatcherLog.messages()).hasSize(2).allSatisfy(m -> assertThat(m).matches(
          "INFO channel \"ops\": sent notification \\S+ for \"Shard is down\": (firing \\{node=\"n1\"\\}, "
              + "\\{node=\"n2\"\\}|resolved \\{node=\"n1\"\\})"));
    }
  }

  @Test
  void configure_rejectsAnUnusableChannel_andKeepsTheOldOnes() throws Exception {
    try (Tocsin tocsin = start(RuleHarness.shardDown("1m") + """
      channels:
        - {name: first, type: log}
      """)) {
      var broken = new RuleFiles(name -> null).parse(Map.of("r.yml", """
          channels:
            - {name: mail, type: email, to: [ops@example.com]}
          """)).channels();

      assertThatThrownBy(() -> tocsin.notifications().configure(broken))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("r.yml:2:5: channel \"mail\": needs an SMTP server");
      assertThat(tocsin.notifications().channels()).containsExactly("first");
    }
  }
}
