package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.history.AlertHistory;
import io.tocsin.testing.RuleHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes, mute intervals and inhibition through a running Tocsin on a simulated clock (T0 is
 * Sunday 1 March 2026, 12:00 UTC). Deliveries and suppressions are read back from the history.
 */
class RoutedDeliveryTest {
  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();

  /** Two monitors on redis_up per node: below 1 is down (critical), below 2 degraded (warning). */
  private static final String MONITORS = """
      monitors:
        - name: Shard is down
          metrics: [redis_up as $up]
          query: [group by node, $up]
          min_allowed_value: 1
          for_duration: 1m
          evaluation_delay: 0s
          labels: {severity: critical}
        - name: Shard degraded
          metrics: [redis_up as $up]
          query: [group by node, $up]
          min_allowed_value: 2
          for_duration: 1m
          evaluation_delay: 0s
          labels: {severity: warning}
      channels:
        - {name: pager, type: log}
        - {name: chat, type: log}
      """;

  /** History entries, oldest first, as "channel type: detail" or "type: detail" for lifecycle-level ones. */
  private static List<String> outcomes(Tocsin tocsin) {
    List<AlertHistory.Entry> entries = new ArrayList<>(tocsin.engine().history().entries());
    Collections.reverse(entries);
    return entries.stream().filter(e -> e.channel() != null || e.type().equals("inhibited"))
        .map(e -> (e.channel() == null ? "" : e.channel() + " ") + e.type() + ": " + e.detail()).toList();
  }

  private static String get(Tocsin tocsin, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + tocsin.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static JsonNode alerts(Tocsin tocsin) throws Exception {
    return new ObjectMapper().readTree(get(tocsin, "/api/v1/alerts?state=firing")).get("alerts");
  }

  /** Where line {@code line}, column 5 of the rule file is, as errors and reasons name it. */
  private String rule(int line) {
    return dataDir.resolve("rules/r.yml") + ":" + line + ":5";
  }

  @Test
  void routes_sendCriticalToThePagerAndWarningsToChat() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, MONITORS + """
        routes:
          - matchers: ['severity="critical"']
            channels: [pager]
          - matchers: ['severity="warning"']
            channels: [chat]
        """)) {
      RuleHarness.value(tocsin, "n1", 0, 1.5);
      harness.evaluateAt(tocsin, 1);

      assertThat(outcomes(tocsin)).containsExactly("chat sent: firing, 1 alert, attempt 1: logged 1 alerts");
      RuleHarness.value(tocsin, "n1", 1, 0);
      harness.evaluateAt(tocsin, 2);
      assertThat(outcomes(tocsin)).containsExactly("chat sent: firing, 1 alert, attempt 1: logged 1 alerts",
          "pager sent: firing, 1 alert, attempt 1: logged 1 alerts");
    }
  }

  @Test
  void aMutedRoute_recordsWhyAndSendsNothing_whileAnotherRouteStillSends() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, MONITORS + """
        time_intervals:
          - name: weekend
            time_intervals: [{weekdays: ['saturday', 'sunday']}]
        routes:
          - matchers: ['severity="warning"']
            channels: [chat]
            mute_time_intervals: [weekend]
            continue: true
          - matchers: ['node="n1"']
            channels: [pager]
        """)) {
      RuleHarness.value(tocsin, "n1", 0, 1.5);
      harness.evaluateAt(tocsin, 1);

      assertThat(outcomes(tocsin)).containsExactly(
          "chat muted: firing not sent: mute_time_intervals: weekend (route root/0)",
          "pager sent: firing, 1 alert, attempt 1: logged 1 alerts");
      // The API and the status page show the routes the alert takes and which one is muted now.
      JsonNode alerts = alerts(tocsin);
      assertThat(alerts).hasSize(1);
      assertThat(alerts.get(0).get("routes").toString()).isEqualTo("[{\"path\":\"root/0\",\"channels\":[\"chat\"],"
          + "\"muted\":\"mute_time_intervals: weekend\"},{\"path\":\"root/1\",\"channels\":[\"pager\"],\"muted\":null}]");
      assertThat(get(tocsin, "/")).contains("root/0 → chat (muted: mute_time_intervals: weekend); root/1 → pager");
    }
  }

  @Test
  void aFiringShardDown_inhibitsTheDegradedAlertOfTheSameNodeOnly_andItsResolution() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, MONITORS + """
        inhibit_rules:
          - source_matchers: ['monitor="Shard is down"']
            target_matchers: ['monitor="Shard degraded"']
            equal: [node]
        """)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      RuleHarness.value(tocsin, "n2", 0, 1.5);
      harness.evaluateAt(tocsin, 1);

      // Both monitors fire for n1 and n2 is degraded: the down alert (pager and chat), and the degraded one of n2.
      assertThat(outcomes(tocsin)).containsExactly(
          "inhibited: firing not sent: inhibited by inhibit rule at " + rule(20) + " (same node=\"n1\")",
          "pager sent: firing, 1 alert, attempt 1: logged 1 alerts",
          "pager sent: firing, 1 alert, attempt 1: logged 1 alerts",
          "chat sent: firing, 1 alert, attempt 1: logged 1 alerts",
          "chat sent: firing, 1 alert, attempt 1: logged 1 alerts");
      // The API shows which firing alert is held back, and why; asking changes nothing.
      JsonNode alerts = alerts(tocsin);
      assertThat(alerts).hasSize(3);
      for (JsonNode alert : alerts) {
        boolean held = alert.get("monitor").asText().equals("Shard degraded")
            && alert.get("labels").get("node").asText().equals("n1");
        assertThat(alert.path("inhibited_by").asText(null)).as(alert.toString())
            .isEqualTo(held ? "inhibit rule at " + rule(20) + " (same node=\"n1\")" : null);
      }
      String page = get(tocsin, "/");
      assertThat(page.split(">inhibited</span>", -1)).as("one alert marked inhibited on the status page").hasSize(2);
      assertThat(page).contains("title=\"inhibit rule at " + rule(20) + " (same node&#61;&quot;n1&quot;)\"");
      // n1 recovers fully: the down alert resolves, and the degraded one, never sent, resolves unsent.
      RuleHarness.value(tocsin, "n1", 1, 5);
      RuleHarness.value(tocsin, "n2", 1, 1.5);
      harness.evaluateAt(tocsin, 2);
      assertThat(outcomes(tocsin).subList(5, outcomes(tocsin).size())).containsExactly(
          "inhibited: resolved not sent: its firing was inhibited",
          "pager sent: resolved, 1 alert, attempt 1: logged 1 alerts",
          "chat sent: resolved, 1 alert, attempt 1: logged 1 alerts");
    }
  }

  @Test
  void aSourceRestoredAsFiring_stillInhibitsAfterARestart() throws Exception {
    String rules = (MONITORS + """
        inhibit_rules:
          - source_matchers: ['monitor="Shard is down"']
            target_matchers: ['severity="warning"']
            equal: [node]
        """).replace("min_allowed_value: 2\n    for_duration: 1m", "min_allowed_value: 2\n    for_duration: 3m");
    assertThat(rules).contains("for_duration: 3m");
    try (Tocsin tocsin = harness.start(dataDir, rules)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      assertThat(outcomes(tocsin)).containsExactly("pager sent: firing, 1 alert, attempt 1: logged 1 alerts",
          "chat sent: firing, 1 alert, attempt 1: logged 1 alerts");
    }
    try (Tocsin tocsin = harness.start(dataDir, rules)) {
      for (int minute = 1; minute < 4; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 0);
        harness.evaluateAt(tocsin, minute + 1);
      }
      assertThat(outcomes(tocsin)).last().asString()
          .isEqualTo("inhibited: firing not sent: inhibited by inhibit rule at " + rule(20) + " (same node=\"n1\")");
    }
  }
}
