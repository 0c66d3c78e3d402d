package io.tocsin.notify.opsgenie;

import static io.tocsin.testing.ChannelTestData.HOSTILE;
import static io.tocsin.testing.ChannelTestData.firing;
import static io.tocsin.testing.ChannelTestData.notification;
import static io.tocsin.testing.ChannelTestData.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.Delivery;
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

class OpsgenieNotifierTest {
  static final String KEY = "eb243592-faa2-4ba2-a551q-1afdf565c889";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCEPTED = """
      {"result":"Request will be processed","took":0.302,"requestId":"43a29c5c-3dbf-4fa4-9c26-f4f71023e120"}""";

  @TempDir
  Path stateDir;
  private final RecordingReceiver opsgenie = RecordingReceiver.start("/v2/alerts", "/v2/alerts/{alias}/close");

  @AfterEach
  void stop() {
    opsgenie.close();
  }

  private OpsgenieNotifier notifier() {
    return ChannelYaml.notifier("- {name: og, type: opsgenie, api_key: " + KEY + ", api_url: \""
        + opsgenie.url("") + "\"}", OpsgenieNotifier::parse, OpsgenieNotifier::new, stateDir);
  }

  @Test
  void send_firingAlert_createsItWithItsAliasAndThePriorityOfItsSeverity() throws Exception {
    opsgenie.answer(202, ACCEPTED, Map.of());

    Delivery delivery = notifier().send(notification("og", Map.of("severity", "warning"), List.of(firing(
        Map.of("node", "n1"), Map.of("summary", "Shard n1 is down", "runbook_url", "https://runbooks.example/redis")))));

    assertThat(delivery).isEqualTo(Delivery.sent(
        "HTTP 202: Request will be processed (requestId 43a29c5c-3dbf-4fa4-9c26-f4f71023e120)"));
    RecordingReceiver.Request request = opsgenie.requests().get(0);
    assertThat(request.path()).isEqualTo("/v2/alerts");
    assertThat(request.headers()).containsEntry("authorization", "GenieKey " + KEY);
    assertThat(opsgenie.json(0)).isEqualTo(JSON.readTree("""
        {
          "message": "[FIRING] Redis shard is down {node=\\"n1\\"}",
          "alias": "%s",
          "description": "value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC\\nShard n1 is down\\nRunbook: https://runbooks.example/redis\\nMonitor: http://tocsin.example/monitors/redis-shard-is-down",
          "details": {"alertname": "Redis shard is down", "node": "n1", "severity": "warning"},
          "entity": "Redis shard is down",
          "source": "Tocsin",
          "priority": "P3"
        }""".formatted(AlertKeys.of("redis-shard-is-down", Map.of("node", "n1")))));
  }

  @Test
  void send_resolution_closesTheAlertByTheAliasItWasCreatedWith() throws Exception {
    notifier().send(notification("og", List.of(firing("n1"))));

    notifier().send(notification("og", List.of(resolved("n1"))));

    String alias = opsgenie.json(0).get("alias").asText();
    RecordingReceiver.Request close = opsgenie.requests().get(1);
    assertThat(close.path()).isEqualTo("/v2/alerts/" + alias + "/close");
    assertThat(close.query()).isEqualTo("identifierType=alias");
    assertThat(opsgenie.json(1)).isEqualTo(JSON.readTree("""
        {"source": "Tocsin", "note": "resolved at 2026-03-01 12:10:00 UTC after firing for 10m (value 1)"}"""));
  }

  @ParameterizedTest
  @CsvSource(textBlock = """
      critical, P1
      error,    P2
      warning,  P3
      info,     P5
      unknown,  P1
      """)
  void send_severity_isMappedToAPriority(String severity, String priority) throws Exception {
    notifier().send(notification("og", List.of(firing(Map.of("node", "n1", "severity", severity), Map.of()))));

    assertThat(opsgenie.json(0).get("priority").asText()).isEqualTo(priority);
  }

  @Test
  void send_hostileLabel_isHtmlEscapedAndCutTo130Characters() throws Exception {
    notifier().send(notification("og", List.of(firing(Map.of("node", HOSTILE), Map.of()),
        firing(Map.of("node", "<&>".repeat(100)), Map.of()))));

    assertThat(opsgenie.json(0).get("message").asText())
        .isEqualTo("[FIRING] Redis shard is down {node=\"&lt;b&gt;x&lt;/b&gt; *y* "
        + "_z_ @here @everyone [a](http://x) \\\"q\\\" `c`\n# h\"}");
    String cut = opsgenie.json(1).get("message").asText();
    // 36 characters, then whole entities while they fit in 129, then the marker: never half an entity.
    assertThat(cut).isEqualTo("[FIRING] Redis shard is down {node=\"" + "&lt;&amp;&gt;".repeat(7) + "…");
    assertThat(opsgenie.json(1).get("details").get("node").asText()).isEqualTo("<&>".repeat(100));
  }

  @Test
  void send_hugeDescription_isCutTo15000Characters() throws Exception {
    notifier().send(notification("og", List.of(firing(Map.of("node", "n1"), Map.of("description", "&".repeat(20_000))))));

    String description = opsgenie.json(0).get("description").asText();
    assertThat(description).hasSizeLessThanOrEqualTo(15_000).endsWith("&amp;…")
        .startsWith("value 0 is below the minimum 1");
  }

  @Test
  void config_defaultsToTheUsApiAndShowsNoKey() {
    assertThat(ChannelYaml.parse("- {name: og, type: opsgenie, api_key: " + KEY + "}", OpsgenieNotifier::parse)
        .toString()).isEqualTo("Config[apiKey=<redacted>, apiUrl=https://api.opsgenie.com]");
  }

  @Test
  void send_testMessage_createsAP5AlertAndClosesIt() throws Exception {
    Delivery delivery = notifier().send(ChannelTestData.testMessage("og"));

    assertThat(delivery.isSent()).isTrue();
    assertThat(opsgenie.requests()).extracting(RecordingReceiver.Request::path)
        .containsExactly("/v2/alerts", "/v2/alerts/" + AlertKeys.of("test", Map.of("channel", "og")) + "/close");
    assertThat(opsgenie.json(0).get("priority").asText()).isEqualTo("P5");
    assertThat(opsgenie.json(0).get("message").asText()).isEqualTo("[TEST] Tocsin test notification");
  }

  @Test
  void send_429WithRetryAfter_isRetried() {
    opsgenie.answer(429, "{\"message\":\"Rate limit exceeded\",\"took\":0.0,\"requestId\":\"r1\"}",
        Map.of("Retry-After", "12"));

    Delivery delivery = notifier().send(notification("og", List.of(firing("n1"))));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 429: Rate limit exceeded (requestId r1)",
        Duration.ofSeconds(12)));
  }

  @Test
  void send_500_isRetried() {
    opsgenie.answer(500, "oops", Map.of());

    assertThat(notifier().send(notification("og", List.of(firing("n1"))))).isEqualTo(Delivery.retry("HTTP 500: oops",
        null));
  }

  @Test
  void send_wrongKey_failsWithOpsgeniesMessageAndWithoutTheKey() {
    opsgenie.answer(401, "{\"message\":\"Key " + KEY + " could not be authenticated\",\"took\":0.0,\"requestId\":\"r2\"}",
        Map.of());

    Delivery delivery = notifier().send(notification("og", List.of(firing("n1"))));

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 401: Key <redacted> could not be authenticated (requestId r2)"));
  }

  @Test
  void send_echoingProxy_neverShowsTheKey() {
    opsgenie.echo(403);

    Delivery delivery = notifier().send(notification("og", List.of(firing("n1"))));

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.FAILED);
    assertThat(delivery.detail()).contains("authorization: <redacted>").doesNotContain(KEY);
  }

  @Test
  void parse_keyWithSpaces_isAPositionedError() {
    assertThat(ChannelYaml.errors("- {name: og, type: opsgenie, api_key: \"a b\"}"))
        .isEqualTo("r.yml:2:41: api_key of channel \"og\" must not contain spaces or line breaks");
    assertThat(ChannelYaml.errors("- {name: og, type: opsgenie, api_key: k, api_url: \"ftp://x\"}"))
        .isEqualTo("r.yml:2:53: api_url of channel \"og\" must be an http:// or https:// URL");
  }
}
