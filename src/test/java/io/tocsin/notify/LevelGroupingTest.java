package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tocsin.Tocsin;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.RuleHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Severity levels on aggregating routes: one monitor with a warning and a critical level, its
 * critical alerts grouped to {@code page} and its warnings to {@code chat}, on a simulated clock.
 * {@code redis_up} per minute is 0.7 (warning), 0.2 (critical), 0.7, 1, each level after one
 * minute, so the alert goes warning (evaluated at 60 s) → critical (120 s) → warning (180 s) →
 * resolved (240 s); groups wait 30 s and flush every minute after that.
 */
class LevelGroupingTest {
  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final RecordingReceiver receiver = RecordingReceiver.start("/page", "/chat");

  @AfterEach
  void stop() {
    receiver.close();
  }

  private String rules() {
    return RuleHarness.shardDown("1m").replace("name: Shard is down", "name: Shard health")
        .replace("min_allowed_value: 1", "min_allowed_value: 0.5\n    levels: {warning: {min_allowed_value: 1}}") + """
        channels:
          - {name: page, type: webhook, url: "%s"}
          - {name: chat, type: webhook, url: "%s"}
        routes:
          - group_by: [alertname]
            group_wait: 30s
            group_interval: 1m
            repeat_interval: 1h
            routes:
              - matchers: ['severity="critical"']
                channels: [page]
              - matchers: ['severity="warning"']
                channels: [chat]
        """.formatted(receiver.url("/page"), receiver.url("/chat"));
  }

  /** Each webhook so far as "path: status severity" of its one alert. */
  private List<String> received() throws Exception {
    List<String> messages = new ArrayList<>();
    for (RecordingReceiver.Request r : receiver.requests()) {
      JsonNode alert = GroupingFixture.JSON.readTree(r.body()).get("alerts").get(0);
      messages.add(r.path() + ": " + alert.get("status").asText() + " " + alert.at("/labels/severity").asText());
    }
    return messages;
  }

  private void tick(Tocsin tocsin, int seconds) {
    harness.clock().set(RuleHarness.T0.plus(Duration.ofSeconds(seconds)));
    tocsin.evaluateMonitors();
    tocsin.notifications().deliverDue();
  }

  @Test
  void levelChanges_onAggregatingRoutes_openAndCloseEachLevelsGroupOnce() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, rules())) {
      double[] values = {0.7, 0.2, 0.7, 1};
      for (int minute = 0; minute < values.length; minute++) {
        RuleHarness.value(tocsin, "n1", minute, values[minute]);
      }
      List<String> expected = new ArrayList<>();
      for (int second = 0; second <= 330; second += 30) {
        tick(tocsin, second);
        switch (second) {
          case 90 -> expected.add("/chat: firing warning");
          case 150 -> expected.add("/page: firing critical");
          case 210 -> expected.add("/page: resolved critical");
          case 270 -> expected.add("/chat: resolved warning");
          default -> { }
        }
        assertThat(received()).as("at %d s", second).isEqualTo(expected);
      }
    }
  }
}
