package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.RuleHarness;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Page on critical, only chat on warning": one monitor with a warning and a critical level, a
 * PagerDuty stand-in routed {@code severity="critical"}, a webhook chat routed {@code
 * severity="warning"} and an Opsgenie stand-in taking every level, through a running Tocsin on a
 * simulated clock. Shard health: {@code redis_up} below 1 is warning, below 0.5 critical, each
 * after one minute; the value per minute is 0.7, 0.2, 0.7, 1, so the alert goes ok → warning
 * (minute 1) → critical (2) → warning (3) → resolved (4).
 */
class LevelRoutingTest {
  private static final String KEY = "0123456789abcdef0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final RecordingReceiver pagerDuty = RecordingReceiver.start("/v2/enqueue");
  private final RecordingReceiver chat = RecordingReceiver.start("/hook");
  private final RecordingReceiver opsgenie = RecordingReceiver.start("/v2/alerts", "/v2/alerts/{alias}/close",
      "/v2/alerts/{alias}/priority");

  @AfterEach
  void stop() {
    pagerDuty.close();
    chat.close();
    opsgenie.close();
  }

  private String rules() {
    return RuleHarness.shardDown("1m").replace("name: Shard is down", "name: Shard health")
        .replace("min_allowed_value: 1", "min_allowed_value: 0.5\n    repeat_interval: 0\n"
            + "    levels: {warning: {min_allowed_value: 1}}\n"
            + "    annotations: {summary: '{{labels.severity}} below {{threshold}}'}") + """
        channels:
          - {name: pager, type: pagerduty, routing_key: %s, api_url: "%s"}
          - {name: chat, type: webhook, url: "%s"}
          - {name: ops, type: opsgenie, api_key: k, api_url: "%s"}
        routes:
          - matchers: ['severity="critical"']
            channels: [pager]
            continue: true
          - matchers: ['severity="warning"']
            channels: [chat]
            continue: true
          - matchers: ['alertname="Shard health"']
            channels: [ops]
        """.formatted(KEY, pagerDuty.url(""), chat.url("/hook"), opsgenie.url(""));
  }

  /** PagerDuty events as "action severity dedup_key". */
  private List<String> pages() {
    return pagerDuty.jsonBodies().stream().map(b -> b.get("event_action").asText() + " "
        + b.path("payload").path("severity").asText("-") + " " + b.get("dedup_key").asText()).toList();
  }

  /** Webhook messages as "title: status severity message" of their one alert. */
  private List<String> chats() {
    return chat.jsonBodies().stream().map(b -> {
      JsonNode a = b.get("alerts").get(0);
      return b.get("title").asText() + ": " + a.get("status").asText() + " " + a.get("labels").get("severity").asText()
          + " " + a.get("message").asText();
    }).toList();
  }

  /** Opsgenie requests as "METHOD path priority". */
  private List<String> opsgenieRequests() throws Exception {
    String alias = AlertKeys.of("shard-health", Map.of("node", "n1"));
    return opsgenie.requests().stream().map(r -> {
      try {
        return r.method() + " " + r.path().replace(alias, "<alias>") + " "
            + JSON.readTree(r.body()).path("priority").asText("-");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  private static JsonNode get(Tocsin tocsin, String path) throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + tocsin.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    return JSON.readTree(body);
  }

  private static JsonNode firingAlerts(Tocsin tocsin) throws Exception {
    return get(tocsin, "/api/v1/alerts?state=firing").get("alerts");
  }

  private void step(Tocsin tocsin, int minute, double value) {
    RuleHarness.value(tocsin, "n1", minute, value);
    harness.evaluateAt(tocsin, minute + 1);
  }

  @Test
  void pageOnCritical_onlyChatOnWarning_eachTransitionOncePerRoute() throws Exception {
    String dedupKey = AlertKeys.of("shard-health", Map.of("node", "n1"));
    try (Tocsin tocsin = harness.start(dataDir, rules())) {
      step(tocsin, 0, 0.7); // warning fires: chat and ops, no page
      assertThat(pages()).isEmpty();
      assertThat(chats()).containsExactly("[FIRING] Shard health {node=\"n1\", severity=\"warning\"}: firing warning"
          + " value 0.7 is below the minimum 1, breaching since 2026-03-01 12:00:00 UTC, firing since 2026-03-01 12:01:00 UTC");
      assertThat(chat.json(0).get("alerts").get(0).get("annotations").get("summary").asText())
          .isEqualTo("warning below 1");
      assertThat(firingAlerts(tocsin)).singleElement().satisfies(a -> {
        assertThat(a.get("severity").asText()).isEqualTo("warning");
        assertThat(a.get("threshold").asDouble()).isEqualTo(1.0);
      });

      step(tocsin, 1, 0.2); // escalated to critical: a page; chat holds its warning alert and hears nothing
      assertThat(pages()).containsExactly("trigger critical " + dedupKey);
      assertThat(chats()).hasSize(1);
      assertThat(firingAlerts(tocsin)).singleElement()
          .satisfies(a -> assertThat(a.get("severity").asText()).isEqualTo("critical"));
      assertThat(get(tocsin, "/api/v1/alerts?match=" + URLEncoder.encode("severity=\"critical\"",
          StandardCharsets.UTF_8)).get("alerts")).hasSize(1);
      assertThat(get(tocsin, "/api/v1/alerts?match=" + URLEncoder.encode("severity=\"warning\"",
          StandardCharsets.UTF_8)).get("alerts")).isEmpty();
      JsonNode monitor = get(tocsin, "/api/v1/monitors/shard-health");
      assertThat(monitor.get("groups")).singleElement()
          .satisfies(g -> assertThat(g.get("severity").asText()).isEqualTo("critical"));
      assertThat(monitor.findValue("levels").findValuesAsText("name")).containsExactly("warning", "critical");
      assertThat(get(tocsin, "/api/prometheus/api/v1/alerts").findValue("alerts").get(0).get("labels")
          .get("severity").asText()).isEqualTo("critical");
      assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + tocsin.httpPort() + "/")).build(), HttpResponse.BodyHandlers.ofString()).body())
          .contains("<span class=\"state severity\">critical</span>");

      step(tocsin, 2, 0.7); // de-escalated to warning: the page resolves, chat is told
      assertThat(pages()).containsExactly("trigger critical " + dedupKey, "resolve - " + dedupKey);
      assertThat(chats()).hasSize(2).last().asString().isEqualTo("[DE-ESCALATED] Shard health {node=\"n1\","
          + " severity=\"warning\"}: firing warning value 0.7 is below the minimum 1, breaching since 2026-03-01"
          + " 12:00:00 UTC, firing since 2026-03-01 12:01:00 UTC");

      step(tocsin, 3, 1); // resolved from warning: chat only; the page is closed already
      assertThat(pages()).hasSize(2);
      assertThat(chats()).hasSize(3).last().asString()
          .isEqualTo("[RESOLVED] Shard health {node=\"n1\", severity=\"warning\"}: resolved warning resolved at"
              + " 2026-03-01 12:04:00 UTC after firing for 3m (value 1)");
      assertThat(opsgenieRequests()).containsExactly(
          "POST /v2/alerts P3",
          "POST /v2/alerts P1",
          "PUT /v2/alerts/<alias>/priority P1",
          "POST /v2/alerts P3",
          "PUT /v2/alerts/<alias>/priority P3",
          "POST /v2/alerts/<alias>/close -");
    }
  }

  @Test
  void aCriticalLevel_inhibitsWarningsOfTheSameNode_untilItDeescalates() throws Exception {
    String rules = """
        monitors:
          - name: Shard health
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 0.5
            for_duration: 1m
            evaluation_delay: 0s
            levels: {warning: {min_allowed_value: 1}}
          - name: Shard slow
            metrics: [redis_up as $up]
            query: [group by node, $up]
            for_duration: 1m
            evaluation_delay: 0s
            repeat_interval: 1m
            levels: {warning: {min_allowed_value: 2}}
        channels:
          - {name: chat, type: log}
        inhibit_rules:
          - source_matchers: ['severity="critical"']
            target_matchers: ['severity="warning"']
            equal: [node]
        """;
    try (Tocsin tocsin = harness.start(dataDir, rules)) {
      step(tocsin, 0, 0.2); // health critical, slow warning: the warning is held back
      List<String> sent = tocsin.engine().history().entries().stream()
          .filter(e -> e.channel() != null || e.type().equals("inhibited"))
          .map(e -> e.monitor() + " " + e.type() + " " + e.labels().get("severity")).toList();
      assertThat(sent).containsExactlyInAnyOrder("Shard slow inhibited warning", "Shard health sent critical");
      JsonNode slow = firingAlerts(tocsin).valueStream().filter(a -> a.get("monitor").asText().equals("Shard slow"))
          .findFirst().orElseThrow();
      assertThat(slow.path("inhibited_by").asText()).contains("same node=\"n1\"");

      step(tocsin, 1, 0.7); // health de-escalates to warning: no critical source any more; slow repeats, now sent
      assertThat(tocsin.engine().history().entries().stream().filter(e -> e.channel() != null)
          .map(e -> e.monitor() + " " + e.detail()).toList())
          .contains("Shard slow firing, 1 alert, attempt 1: logged 1 alerts");
      assertThat(firingAlerts(tocsin).valueStream().map(a -> a.path("inhibited_by").asText("none")).toList())
          .containsOnly("none");
    }
  }
}
