package io.tocsin.notify.pagerduty;

import static io.tocsin.testing.ChannelTestData.HOSTILE;
import static io.tocsin.testing.ChannelTestData.firing;
import static io.tocsin.testing.ChannelTestData.notification;
import static io.tocsin.testing.ChannelTestData.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.notify.webhook.ChannelYaml;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.ChannelTestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PagerDutyNotifierTest {
  static final String KEY = "R0ut1ngKeyOfTocsinPagerDutyTest0";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCEPTED = """
      {"status":"success","message":"Event processed","dedup_key":"k"}""";

  @TempDir
  Path stateDir;
  private final RecordingReceiver pagerDuty = RecordingReceiver.start("/v2/enqueue");

  @AfterEach
  void stop() {
    pagerDuty.close();
  }

  private PagerDutyNotifier notifier() {
    return ChannelYaml.notifier("- {name: pd, type: pagerduty, routing_key: " + KEY + ", api_url: \""
        + pagerDuty.url("/") + "\"}", PagerDutyNotifier::parse, PagerDutyNotifier::new, stateDir);
  }

  @Test
  void send_firingAlert_postsTheExactTriggerEvent() throws Exception {
    pagerDuty.answer(202, ACCEPTED, Map.of());

    Delivery delivery = notifier().send(notification("pd", Map.of("team", "cache"), List.of(firing(
        Map.of("node", "n1"), Map.of("summary", "Shard n1 is down", "runbook_url", "https://runbooks.example/redis")))));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 202: Event processed (dedup_key k)"));
    assertThat(pagerDuty.requests().get(0).headers()).containsEntry("content-type", "application/json");
    assertThat(pagerDuty.jsonBodies()).containsExactly(JSON.readTree("""
        {
          "routing_key": "%s",
          "event_action": "trigger",
          "dedup_key": "%s",
          "payload": {
            "summary": "[FIRING] Redis shard is down {node=\\"n1\\"}: Shard n1 is down",
            "source": "Tocsin",
            "severity": "critical",
            "timestamp": "2026-03-01T12:00:00Z",
            "group": "redis-shard-is-down",
            "class": "Redis shard is down",
            "custom_details": {
              "state": "FIRING",
              "description": "value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC",
              "labels": {"alertname": "Redis shard is down", "node": "n1", "team": "cache"},
              "annotations": {"runbook_url": "https://runbooks.example/redis", "summary": "Shard n1 is down"}
            }
          },
          "client": "Tocsin",
          "client_url": "http://tocsin.example/monitors/redis-shard-is-down",
          "links": [{"href": "https://runbooks.example/redis", "text": "Runbook"}]
        }""".formatted(KEY, AlertKeys.of("redis-shard-is-down", Map.of("node", "n1")))));
  }

  @Test
  void send_resolution_resolvesTheFiringIncidentByItsDedupKey_evenAfterARestart() throws Exception {
    notifier().send(notification("pd", List.of(firing("n1"), firing("n2"))));
    PagerDutyNotifier restarted = notifier();

    restarted.send(notification("pd", List.of(resolved("n2"))));

    List<JsonNode> bodies = pagerDuty.jsonBodies();
    assertThat(bodies).extracting(b -> b.get("event_action").asText()).containsExactly("trigger", "trigger", "resolve");
    assertThat(bodies.get(2)).isEqualTo(JSON.readTree("""
        {"routing_key": "%s", "event_action": "resolve", "dedup_key": "%s"}""".formatted(KEY,
        bodies.get(1).get("dedup_key").asText())));
    assertThat(bodies.get(0).get("dedup_key")).isNotEqualTo(bodies.get(1).get("dedup_key"));
  }

  @ParameterizedTest
  @CsvSource(textBlock = """
      critical, critical
      page,     critical
      error,    error
      warning,  warning
      WARN,     warning
      info,     info
      bogus,    critical
      """)
  void send_severityLabel_isMappedToPagerDutysScale(String label, String severity) throws Exception {
    notifier().send(notification("pd", List.of(firing(Map.of("node", "n1", "severity", label), Map.of()))));

    assertThat(pagerDuty.jsonBodies().get(0).get("payload").get("severity").asText()).isEqualTo(severity);
  }

  @Test
  void send_noSeverityLabel_isCritical() throws Exception {
    notifier().send(notification("pd", List.of(firing("n1"))));

    assertThat(pagerDuty.jsonBodies().get(0).get("payload").get("severity").asText()).isEqualTo("critical");
  }

  @Test
  void send_hostileAndHugeLabelValues_arePlainTextWithinTheSummaryLimit() throws Exception {
    notifier().send(notification("pd", List.of(firing(Map.of("node", HOSTILE), Map.of()),
        firing(Map.of("node", "x".repeat(5000)), Map.of()))));

    List<JsonNode> bodies = pagerDuty.jsonBodies();
    assertThat(bodies.get(0).get("payload").get("summary").asText())
        .isEqualTo("[FIRING] Redis shard is down {node=\"" + HOSTILE.replace("\"", "\\\"") + "\"}");
    String longSummary = bodies.get(1).get("payload").get("summary").asText();
    assertThat(longSummary).hasSize(1024).startsWith("[FIRING] Redis shard is down {node=\"xxx").endsWith("x…");
    assertThat(bodies.get(1).get("payload").get("custom_details").get("labels").get("node").asText())
        .hasSize(1024).endsWith("…");
  }

  @Test
  void send_testMessage_triggersAnInfoIncidentAndResolvesIt() throws Exception {
    Delivery delivery = notifier().send(ChannelTestData.testMessage("pd"));

    assertThat(delivery.isSent()).isTrue();
    List<JsonNode> bodies = pagerDuty.jsonBodies();
    assertThat(bodies).extracting(b -> b.get("event_action").asText()).containsExactly("trigger", "resolve");
    assertThat(bodies.get(0).get("payload").get("severity").asText()).isEqualTo("info");
    assertThat(bodies.get(0).get("payload").get("summary").asText()).isEqualTo("[TEST] Tocsin test notification: "
        + "A test message from Tocsin: this channel works.");
    assertThat(bodies.get(1).get("dedup_key")).isEqualTo(bodies.get(0).get("dedup_key"));
  }

  @Test
  void send_429WithRetryAfter_isRetriedThenSendsOnlyTheAlertsLeft() throws Exception {
    pagerDuty.answerNext(202, ACCEPTED, Map.of());
    pagerDuty.answerNext(429, "", Map.of("Retry-After", "7"));
    PagerDutyNotifier notifier = notifier();
    Notification three = notification("pd", List.of(firing("n1"), firing("n2"), firing("n3")));

    Delivery first = notifier.send(three);
    Delivery second = notifier.send(three);

    assertThat(first).isEqualTo(Delivery.retry("1 of 3 alerts done; HTTP 429", Duration.ofSeconds(7)));
    assertThat(second).isEqualTo(Delivery.sent("3 alerts: HTTP 200"));
    assertThat(pagerDuty.jsonBodies()).extracting(b -> b.get("payload").get("custom_details").get("labels").get("node").asText())
        .containsExactly("n1", "n2", "n2", "n3");
  }

  @Test
  void send_testMessageBetweenRetries_keepsTheProgressOfTheQueuedNotification() throws Exception {
    pagerDuty.answerNext(202, ACCEPTED, Map.of());
    pagerDuty.answerNext(429, "", Map.of());
    PagerDutyNotifier notifier = notifier();
    Notification two = notification("pd", List.of(firing("n1"), firing("n2")));

    notifier.send(two);
    notifier.send(ChannelTestData.testMessage("pd"));
    Delivery retried = notifier.send(two);

    assertThat(retried).isEqualTo(Delivery.sent("2 alerts: HTTP 200"));
    assertThat(pagerDuty.jsonBodies()).extracting(b -> b.get("event_action").asText() + " " + b.at("/payload/custom_details/labels")
        .path("node").asText()).containsExactly("trigger n1", "trigger n2", "trigger ", "resolve ", "trigger n2");
  }

  @Test
  void send_503WithHttpDate_isRetried() {
    pagerDuty.answer(503, "upstream unavailable", Map.of("Retry-After", "Sun, 01 Mar 2099 12:00:00 GMT"));

    Delivery delivery = notifier().send(notification("pd", List.of(firing("n1"))));

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.RETRY);
    assertThat(delivery.detail()).isEqualTo("HTTP 503: upstream unavailable");
    assertThat(delivery.retryAfter()).isGreaterThan(Duration.ofDays(300));
  }

  @Test
  void send_400_failsWithPagerDutysErrorsAndWithoutTheRoutingKey() {
    pagerDuty.answer(400, """
        {"status":"invalid event","message":"Event object is invalid","errors":["'routing_key' %s is invalid"]}"""
        .formatted(KEY), Map.of());

    Delivery delivery = notifier().send(notification("pd", List.of(firing("n1"))));

    assertThat(delivery).isEqualTo(Delivery.failed(
        "HTTP 400: Event object is invalid: 'routing_key' <redacted> is invalid"));
  }

  @Test
  void send_oneOfTwoRefused_sendsTheOtherAndFails() {
    pagerDuty.answerNext(400, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\"}", Map.of());

    Delivery delivery = notifier().send(notification("pd", List.of(firing("n1"), firing("n2"))));

    assertThat(pagerDuty.requests()).hasSize(2);
    assertThat(delivery).isEqualTo(Delivery.failed(
        "1 of 2 alerts refused: {node=\"n1\"}: HTTP 400: Event object is invalid"));
  }

  @Test
  void parse_badRoutingKey_isAPositionedErrorWithoutTheValue() {
    assertThat(ChannelYaml.errors("- {name: pd, type: pagerduty, routing_key: \"s3cret key\"}")).isEqualTo(
        "r.yml:2:46: routing_key of channel \"pd\" must be the 32-character integration key of an Events API v2"
            + " integration");
    assertThat(ChannelYaml.errors("- {name: pd, type: pagerduty}"))
        .isEqualTo("r.yml:2:5: channel \"pd\" (pagerduty) needs routing_key, e.g. \"${PAGERDUTY_ROUTING_KEY}\"");
  }

  @Test
  void config_toString_showsNoRoutingKey() {
    assertThat(ChannelYaml.parse("- {name: pd, type: pagerduty, routing_key: " + KEY + "}", PagerDutyNotifier::parse)
        .toString()).isEqualTo("Config[routingKey=<redacted>, apiUrl=https://events.pagerduty.com]");
  }
}
