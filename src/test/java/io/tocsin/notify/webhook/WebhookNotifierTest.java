package io.tocsin.notify.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.NetworkFailures;
import io.tocsin.notify.Notification;
import io.tocsin.notify.NotifierContext;
import io.tocsin.rules.AlertEvent;
import io.tocsin.util.MutableClock;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import io.tocsin.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookNotifierTest {
  static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  static final long MIN = 60_000;
  static final String LINK = "http://tocsin.example:8080/monitors/redis-shard-is-down";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path stateDir;
  private final RecordingReceiver receiver = RecordingReceiver.start("/hook");

  @AfterEach
  void stop() {
    receiver.close();
  }

  static Alert firing(String node) {
    return new Alert(AlertEvent.Type.FIRING, Map.of("cluster", "c1", "node", node),
        Map.of("summary", "Shard " + node + " is down", "runbook_url", "https://runbooks.example/redis"), 0, 1, T0,
        T0 + 5 * MIN, 0, T0 + 5 * MIN, "redis-shard-is-down-" + node, "");
  }

  static Alert resolved(String node) {
    return new Alert(AlertEvent.Type.RESOLVED, Map.of("cluster", "c1", "node", node),
        Map.of("summary", "Shard " + node + " is down", "runbook_url", "https://runbooks.example/redis"), 1, 1, T0,
        T0 + 5 * MIN, T0 + 65 * MIN, T0 + 65 * MIN, "redis-shard-is-down-" + node, "");
  }

  static Notification notification(Alert... alerts) {
    return new Notification("000001", "ops-hook", "redis-shard-is-down", "Redis shard is down",
        Map.of("severity", "page"), "", LINK, List.of(alerts), T0 + 5 * MIN, false);
  }

  private NotifierContext context(Duration requestTimeout) {
    return new NotifierContext(MutableClock.at("2026-03-01T12:05:00Z"), stateDir, null, "http://tocsin.example:8080",
        HttpClient.newHttpClient(), requestTimeout);
  }

  private WebhookNotifier notifier(String settings) {
    return notifier(settings, Duration.ofSeconds(10));
  }

  private WebhookNotifier notifier(String settings, Duration requestTimeout) {
    return new WebhookNotifier(ChannelYaml.parse("- {name: ops-hook, type: webhook, url: \"" + receiver.url("/hook")
        + "\"" + settings + "}", WebhookNotifier::parse), context(requestTimeout));
  }

  private static JsonNode tree(String json) throws Exception {
    return JSON.readTree(json);
  }

  private JsonNode onlyBody() throws Exception {
    assertThat(receiver.requests()).hasSize(1);
    return tree(receiver.requests().get(0).body());
  }

  @Test
  void send_oneFiringAlert_postsAlertmanagerWebhookJson() throws Exception {
    Delivery delivery = notifier("").send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200"));
    RecordingReceiver.Request request = receiver.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/hook");
    assertThat(request.headers()).containsEntry("content-type", "application/json")
        .containsEntry("user-agent", "Tocsin").doesNotContainKey("authorization");
    assertThat(onlyBody()).isEqualTo(tree("""
        {
          "receiver": "ops-hook",
          "status": "firing",
          "alerts": [{
            "status": "firing",
            "labels": {"alertname": "Redis shard is down", "cluster": "c1", "node": "n1", "severity": "page"},
            "annotations": {"runbook_url": "https://runbooks.example/redis", "summary": "Shard n1 is down"},
            "startsAt": "2026-03-01T12:05:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://tocsin.example:8080/monitors/redis-shard-is-down",
            "fingerprint": "redis-shard-is-down-n1",
            "value": 0.0,
            "threshold": 1.0,
            "message": "value 0 is below the minimum 1, breaching since 2026-03-01 12:00:00 UTC, firing since 2026-03-01 12:05:00 UTC"
          }],
          "groupLabels": {"alertname": "Redis shard is down"},
          "commonLabels": {"alertname": "Redis shard is down", "cluster": "c1", "node": "n1", "severity": "page"},
          "commonAnnotations": {"runbook_url": "https://runbooks.example/redis", "summary": "Shard n1 is down"},
          "externalURL": "http://tocsin.example:8080",
          "version": "4",
          "groupKey": "{}:{alertname=\\"Redis shard is down\\"}",
          "truncatedAlerts": 0,
          "title": "[FIRING] Redis shard is down {cluster=\\"c1\\", node=\\"n1\\"}"
        }"""));
  }

  @Test
  void send_firingAndResolved_isFiringWithBothAndTheirCommonLabels() throws Exception {
    Alert n2 = new Alert(AlertEvent.Type.REPEAT, Map.of("cluster", "c1", "node", "n2"),
        Map.of("summary", "Shard n2 is down", "runbook_url", "https://runbooks.example/redis"), Double.NaN, 1, T0,
        T0 + 5 * MIN, 0, T0 + 65 * MIN, "redis-shard-is-down-n2", "");

    notifier("").send(notification(resolved("n1"), n2));

    assertThat(onlyBody()).isEqualTo(tree("""
        {
          "receiver": "ops-hook",
          "status": "firing",
          "alerts": [{
            "status": "resolved",
            "labels": {"alertname": "Redis shard is down", "cluster": "c1", "node": "n1", "severity": "page"},
            "annotations": {"runbook_url": "https://runbooks.example/redis", "summary": "Shard n1 is down"},
            "startsAt": "2026-03-01T12:05:00Z",
            "endsAt": "2026-03-01T13:05:00Z",
            "generatorURL": "http://tocsin.example:8080/monitors/redis-shard-is-down",
            "fingerprint": "redis-shard-is-down-n1",
            "value": 1.0,
            "threshold": 1.0,
            "message": "resolved at 2026-03-01 13:05:00 UTC after firing for 1h (value 1)"
          }, {
            "status": "firing",
            "labels": {"alertname": "Redis shard is down", "cluster": "c1", "node": "n2", "severity": "page"},
            "annotations": {"runbook_url": "https://runbooks.example/redis", "summary": "Shard n2 is down"},
            "startsAt": "2026-03-01T12:05:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://tocsin.example:8080/monitors/redis-shard-is-down",
            "fingerprint": "redis-shard-is-down-n2",
            "value": null,
            "threshold": 1.0,
            "message": "no data (absent points count as a breach), breaching since 2026-03-01 12:00:00 UTC, firing since 2026-03-01 12:05:00 UTC"
          }],
          "groupLabels": {"alertname": "Redis shard is down"},
          "commonLabels": {"alertname": "Redis shard is down", "cluster": "c1", "severity": "page"},
          "commonAnnotations": {"runbook_url": "https://runbooks.example/redis"},
          "externalURL": "http://tocsin.example:8080",
          "version": "4",
          "groupKey": "{}:{alertname=\\"Redis shard is down\\"}",
          "truncatedAlerts": 0,
          "title": "[FIRING:1, RESOLVED:1] Redis shard is down"
        }"""));
  }

  @Test
  void send_allResolved_isResolvedWithEndsAtTheResolveTime() throws Exception {
    notifier("").send(notification(resolved("n1"), resolved("n2")));

    assertThat(onlyBody()).isEqualTo(tree("""
        {
          "receiver": "ops-hook",
          "status": "resolved",
          "alerts": [{
            "status": "resolved",
            "labels": {"alertname": "Redis shard is down", "cluster": "c1", "node": "n1", "severity": "page"},
            "annotations": {"runbook_url": "https://runbooks.example/redis", "summary": "Shard n1 is down"},
            "startsAt": "2026-03-01T12:05:00Z",
            "endsAt": "2026-03-01T13:05:00Z",
            "generatorURL": "http://tocsin.example:8080/monitors/redis-shard-is-down",
            "fingerprint": "redis-shard-is-down-n1",
            "value": 1.0,
            "threshold": 1.0,
            "message": "resolved at 2026-03-01 13:05:00 UTC after firing for 1h (value 1)"
          }, {
            "status": "resolved",
            "labels": {"alertname": "Redis shard is down", "cluster": "c1", "node": "n2", "severity": "page"},
            "annotations": {"runbook_url": "https://runbooks.example/redis", "summary": "Shard n2 is down"},
            "startsAt": "2026-03-01T12:05:00Z",
            "endsAt": "2026-03-01T13:05:00Z",
            "generatorURL": "http://tocsin.example:8080/monitors/redis-shard-is-down",
            "fingerprint": "redis-shard-is-down-n2",
            "value": 1.0,
            "threshold": 1.0,
            "message": "resolved at 2026-03-01 13:05:00 UTC after firing for 1h (value 1)"
          }],
          "groupLabels": {"alertname": "Redis shard is down"},
          "commonLabels": {"alertname": "Redis shard is down", "cluster": "c1", "severity": "page"},
          "commonAnnotations": {"runbook_url": "https://runbooks.example/redis"},
          "externalURL": "http://tocsin.example:8080",
          "version": "4",
          "groupKey": "{}:{alertname=\\"Redis shard is down\\"}",
          "truncatedAlerts": 0,
          "title": "[RESOLVED:2] Redis shard is down"
        }"""));
  }

  @Test
  void send_testMessage_isMarkedAsTest() throws Exception {
    long now = T0;
    Alert alert = new Alert(AlertEvent.Type.FIRING, Map.of("channel", "ops-hook"),
        Map.of("summary", "A test message from Tocsin: this channel works."), 1, 0, now, now, 0, now, "test-ops-hook",
        "");
    Notification test = new Notification("000002", "ops-hook", "test", "Tocsin test notification", Map.of(), "",
        "http://tocsin.example:8080/", List.of(alert), now, true);

    notifier("").send(test);

    JsonNode body = onlyBody();
    assertThat(body.get("title").asText()).isEqualTo("[TEST] Tocsin test notification");
    assertThat(body.get("alerts").get(0).get("labels"))
        .isEqualTo(tree("{\"alertname\": \"Tocsin test notification\", \"channel\": \"ops-hook\"}"));
    assertThat(body.get("alerts").get(0).get("annotations").get("summary").asText())
        .isEqualTo("A test message from Tocsin: this channel works.");
  }

  @Test
  void send_headersAndBasicAuth_areSent() {
    notifier(", headers: {X-Scope-OrgID: team-a, X-Api-Key: k3y}, username: tocsin, password: \"s3cret:pw\"")
        .send(notification(firing("n1")));

    Map<String, String> headers = receiver.requests().get(0).headers();
    assertThat(headers).containsEntry("x-scope-orgid", "team-a").containsEntry("x-api-key", "k3y")
        .containsEntry("authorization", "Basic " + base64("tocsin:s3cret:pw"));
  }

  @Test
  void send_bearerToken_isSentAsAuthorization() {
    notifier(", bearer_token: t0ken").send(notification(firing("n1")));

    assertThat(receiver.requests().get(0).headers()).containsEntry("authorization", "Bearer t0ken");
  }

  @Test
  void send_credentialsInUrl_goInTheAuthorizationHeaderNotTheRequestLine() {
    String url = receiver.url("/hook?team=a%26b").replace("http://", "http://hook%40user:p%3As+s@");
    WebhookNotifier notifier = new WebhookNotifier(
        ChannelYaml.parse("- {name: ops-hook, type: webhook, url: \"" + url + "\"}", WebhookNotifier::parse),
        context(Duration.ofSeconds(10)));

    assertThat(notifier.send(notification(firing("n1")))).isEqualTo(Delivery.sent("HTTP 200"));

    RecordingReceiver.Request request = receiver.requests().get(0);
    assertThat(request.path()).isEqualTo("/hook");
    assertThat(request.query()).isEqualTo("team=a%26b");
    assertThat(request.headers()).containsEntry("authorization", "Basic " + base64("hook@user:p:s+s"));
  }

  @Test
  void send_apiUrl_isAnotherNameForUrl() {
    WebhookNotifier notifier = new WebhookNotifier(ChannelYaml.parse("- {name: ops-hook, type: webhook, api_url: \""
        + receiver.url("/hook") + "\"}", WebhookNotifier::parse), context(Duration.ofSeconds(10)));

    assertThat(notifier.send(notification(firing("n1")))).isEqualTo(Delivery.sent("HTTP 200"));
    assertThat(receiver.requests()).hasSize(1);
  }

  @Test
  void send_500_isRetried() {
    receiver.answer(500, "database is locked", Map.of());

    Delivery delivery = notifier("").send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 500: database is locked", null));
  }

  @Test
  void send_429WithRetryAfter_isRetriedAfterThatDelay() {
    receiver.answer(429, "slow down", Map.of("Retry-After", "30"));

    Delivery delivery = notifier("").send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 429: slow down", Duration.ofSeconds(30)));
  }

  @Test
  void send_400_failsForGood() {
    receiver.answer(400, "{\"error\":\"unknown field\"}", Map.of());

    Delivery delivery = notifier("").send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 400: {\"error\":\"unknown field\"}"));
  }

  @Test
  void send_nobodyListening_isRetriedAsNetworkError() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    WebhookNotifier notifier = new WebhookNotifier(ChannelYaml.parse("- {name: ops-hook, type: webhook, url: "
        + "\"http://s3cret-user:s3cret-pw@127.0.0.1:" + closedPort + "/hook\"}", WebhookNotifier::parse),
        context(Duration.ofSeconds(10)));

    Delivery delivery = notifier.send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.retry("connection refused by 127.0.0.1:" + closedPort, null)); // no path, no credentials
  }

  @Test
  void send_receiverHangs_isRetriedAfterTheRequestTimeout() {
    receiver.hold();

    Delivery delivery = notifier("", Duration.ofMillis(300)).send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.retry("no answer from " + NetworkFailures.hostAndPort(URI.create(receiver.url("/hook")))
        + " within 300 ms", null));
  }

  @Test
  void config_toString_showsNoSecret() {
    WebhookNotifier.Config config = ChannelYaml.parse("- {name: ops-hook, type: webhook, url: "
        + "\"https://hooks.example.com/T0/s3cret-path\", headers: {X-Api-Key: s3cret-key}, bearer_token: s3cret-token}",
        WebhookNotifier::parse);

    assertThat(config.toString()).isEqualTo("Config[target=HttpTarget[url=<redacted>, headers={X-Api-Key=<redacted>}, "
        + "authorization=<redacted>], body=null, name=ops-hook]");
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void bodyTemplate_isTheRequestBody_withInsertedValuesEscapedAsJsonStrings() throws Exception {
    WebhookNotifier hook = notifier(", body: '{\"text\": \"{{title}}\", \"nodes\": [{{#firing}}\"{{labels.node}}\"{{/firing}}]}'");

    assertThat(hook.send(notification(firing("n1\" <b>&"))).isSent()).isTrue();

    assertThat(receiver.requests().get(0).body()).isEqualTo(
        "{\"text\": \"[FIRING] Redis shard is down {cluster=\\\"c1\\\", node=\\\"n1\\\\\\\" <b>&\\\"}\", "
            + "\"nodes\": [\"n1\\\" <b>&\"]}");
    assertThat(onlyBody().get("nodes").get(0).asText()).isEqualTo("n1\" <b>&");
  }

  @Test
  void bodyTemplateThatIsNotJson_sendsTheDefaultBody_andSaysWhy() throws Exception {
    WebhookNotifier hook = notifier(", body: '{\"nodes\": [{{#firing}}\"{{labels.node}}\",{{/firing}}]}'");
    try (LogCapture logs = LogCapture.of(WebhookNotifier.class)) {
      assertThat(hook.send(notification(firing("n1"))).isSent()).isTrue();

      assertThat(onlyBody().get("version").asText()).isEqualTo("4");
      assertThat(logs.messages()).containsExactly("WARN channel \"ops-hook\": the body template failed for "
          + "notification 000001 (it is not valid JSON: Unexpected character (']' (code 93)): expected a valid value "
          + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')); sending the default body instead");
    }
  }
}
