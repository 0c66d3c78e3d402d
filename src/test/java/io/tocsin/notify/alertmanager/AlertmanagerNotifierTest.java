package io.tocsin.notify.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.notify.NotifierContext;
import io.tocsin.notify.webhook.ChannelYaml;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.rules.AlertEvent;
import io.tocsin.util.MutableClock;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AlertmanagerNotifierTest {
  static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  static final long MIN = 60_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path stateDir;
  private final MutableClock clock = MutableClock.at("2026-03-01T12:05:00Z");
  private final RecordingReceiver alertmanager = RecordingReceiver.start("/api/v2/alerts", "/am/api/v2/alerts");

  @AfterEach
  void stop() {
    alertmanager.close();
  }

  static Alert alert(AlertEvent.Type type, String node) {
    boolean resolved = type == AlertEvent.Type.RESOLVED;
    return new Alert(type, Map.of("cluster", "c1", "node", node), Map.of("summary", "Shard " + node + " is down"),
        resolved ? 1 : 0, 1, T0, T0 + 5 * MIN, resolved ? T0 + 65 * MIN : 0, resolved ? T0 + 65 * MIN : T0 + 5 * MIN,
        "redis-shard-is-down-" + node, "");
  }

  static Notification notification(Alert... alerts) {
    return new Notification("000001", "am", "redis-shard-is-down", "Redis shard is down", Map.of("severity", "page"),
        "", "http://tocsin.example:8080/monitors/redis-shard-is-down", List.of(alerts), T0 + 5 * MIN, false);
  }

  private AlertmanagerNotifier notifier(String settings) {
    String yaml = "- {name: am, type: alertmanager, url: \"" + alertmanager.url("") + "\"" + settings + "}";
    return notifier(yaml, stateDir);
  }

  private AlertmanagerNotifier notifier(String yaml, Path dir) {
    return new AlertmanagerNotifier(ChannelYaml.parse(yaml, AlertmanagerNotifier::parse),
        new NotifierContext(clock, dir, null, "http://tocsin.example:8080", HttpClient.newHttpClient(),
            Duration.ofSeconds(10)));
  }

  @Test
  void send_levelChange_endsTheLabelSetOfTheOldLevel_andPostsTheNewOneWithTheSameStart() throws Exception {
    AlertmanagerNotifier notifier = notifier("");
    Alert warning = new Alert(AlertEvent.Type.FIRING, Map.of("node", "n1"), Map.of(), 0.7, 1, T0, T0 + 5 * MIN, 0,
        T0 + 5 * MIN, "hit-rate-n1", "", "warning");
    Alert critical = new Alert(AlertEvent.Type.ESCALATED, Map.of("node", "n1"), Map.of(), 0.2, 0.5, T0, T0 + 5 * MIN,
        0, T0 + 7 * MIN, "hit-rate-n1", "", "critical");
    notifier.send(new Notification("1", "am", "hit-rate", "Hit rate", Map.of(), "", "", List.of(warning), T0, false));
    clock.set(Instant.ofEpochMilli(T0 + 7 * MIN));

    notifier.send(new Notification("2", "am", "hit-rate", "Hit rate", Map.of(), "", "", List.of(critical), T0, false));

    JsonNode body = alertmanager.json(1);
    assertThat(body).hasSize(2);
    assertThat(body.get(0).get("labels")).isEqualTo(JSON.readTree("""
        {"alertname": "Hit rate", "node": "n1", "severity": "warning"}"""));
    assertThat(body.get(0).get("endsAt").asText()).isEqualTo("2026-03-01T12:07:00Z");
    assertThat(body.get(1).get("labels").get("severity").asText()).isEqualTo("critical");
    assertThat(body.get(1).get("startsAt").asText()).isEqualTo("2026-03-01T12:05:00Z");
    assertThat(Instant.parse(body.get(1).get("endsAt").asText())).isAfter(Instant.ofEpochMilli(T0 + 7 * MIN));
  }

  private static String postable(String node, String endsAt) {
    return """
        {
          "labels": {"alertname": "Redis shard is down", "cluster": "c1", "node": "%s", "severity": "page"},
          "annotations": {"summary": "Shard %s is down"},
          "startsAt": "2026-03-01T12:05:00Z",
          "endsAt": "%s",
          "generatorURL": "http://tocsin.example:8080/monitors/redis-shard-is-down"
        }""".formatted(node, node, endsAt);
  }

  private static JsonNode tree(String json) throws Exception {
    return JSON.readTree(json);
  }

  private static long at(String isoInstant) {
    return Instant.parse(isoInstant).toEpochMilli();
  }

  @Test
  void send_firingAlert_postsItValidForFourMinutes() throws Exception {
    Delivery delivery = notifier("").send(notification(alert(AlertEvent.Type.FIRING, "n1")));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200"));
    RecordingReceiver.Request request = alertmanager.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/api/v2/alerts");
    assertThat(request.headers()).containsEntry("content-type", "application/json");
    assertThat(alertmanager.json(0)).isEqualTo(tree("[" + postable("n1", "2026-03-01T12:09:00Z") + "]"));
  }

  @Test
  void send_resolvedAndRepeat_postBothWithResolvedEndingWhenItResolved() throws Exception {
    clock.set(Instant.parse("2026-03-01T13:05:00Z"));

    notifier("").send(notification(alert(AlertEvent.Type.RESOLVED, "n1"), alert(AlertEvent.Type.REPEAT, "n2")));

    assertThat(alertmanager.json(0)).isEqualTo(tree("[" + postable("n1", "2026-03-01T13:05:00Z") + ", "
        + postable("n2", "2026-03-01T13:09:00Z") + "]"));
  }

  @Test
  void tick_withNothingFiring_postsNothing() {
    notifier("").tick(clock.millis());

    assertThat(alertmanager.requests()).isEmpty();
  }

  @Test
  void tick_everyRefreshInterval_repostsFiringAlertsWithALaterEndsAt() throws Exception {
    AlertmanagerNotifier notifier = notifier("");
    notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1"), alert(AlertEvent.Type.FIRING, "n2")));

    notifier.tick(at("2026-03-01T12:05:05Z")); // the first tick refreshes at once
    notifier.tick(at("2026-03-01T12:06:04Z"));
    notifier.tick(at("2026-03-01T12:06:05Z"));

    assertThat(alertmanager.requests()).hasSize(3);
    assertThat(alertmanager.json(1)).isEqualTo(tree("[" + postable("n1", "2026-03-01T12:09:05Z") + ", "
        + postable("n2", "2026-03-01T12:09:05Z") + "]"));
    assertThat(alertmanager.json(2)).isEqualTo(tree("[" + postable("n1", "2026-03-01T12:10:05Z") + ", "
        + postable("n2", "2026-03-01T12:10:05Z") + "]"));
  }

  @Test
  void tick_afterAResolve_refreshesOnlyWhatStillFires() throws Exception {
    AlertmanagerNotifier notifier = notifier("");
    notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1"), alert(AlertEvent.Type.FIRING, "n2")));
    notifier.send(notification(alert(AlertEvent.Type.RESOLVED, "n1")));

    notifier.tick(at("2026-03-01T12:06:00Z"));

    assertThat(alertmanager.requests()).hasSize(3);
    assertThat(alertmanager.json(2)).isEqualTo(tree("[" + postable("n2", "2026-03-01T12:10:00Z") + "]"));
  }

  @Test
  void tick_afterARestart_refreshesTheAlertsFiringBefore() throws Exception {
    notifier("").send(notification(alert(AlertEvent.Type.FIRING, "n1")));

    AlertmanagerNotifier restarted = notifier("");
    restarted.tick(at("2026-03-01T12:07:00Z"));

    assertThat(alertmanager.requests()).hasSize(2);
    assertThat(alertmanager.json(1)).isEqualTo(tree("[" + postable("n1", "2026-03-01T12:11:00Z") + "]"));
  }

  @Test
  void tick_afterAResolveAndARestart_refreshesNothing() {
    notifier("").send(notification(alert(AlertEvent.Type.FIRING, "n1")));
    notifier("").send(notification(alert(AlertEvent.Type.RESOLVED, "n1")));

    notifier("").tick(at("2026-03-01T12:07:00Z"));

    assertThat(alertmanager.requests()).hasSize(2);
  }

  @Test
  void tick_withAnUnreadableStateFile_startsWithNothingToRefresh() throws Exception {
    Files.writeString(stateDir.resolve("firing-alerts.json"), "{not json");
    AlertmanagerNotifier notifier = notifier("");

    notifier.tick(at("2026-03-01T12:07:00Z"));
    notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1")));

    assertThat(alertmanager.requests()).hasSize(1);
    notifier("").tick(at("2026-03-01T12:07:00Z"));
    assertThat(alertmanager.requests()).hasSize(2);
  }

  @Test
  void tick_whenARefreshFails_triesAgainAfter15Seconds() throws Exception {
    AlertmanagerNotifier notifier = notifier("");
    notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1")));
    alertmanager.answer(503, "", Map.of());

    notifier.tick(at("2026-03-01T12:06:00Z"));
    notifier.tick(at("2026-03-01T12:06:14Z"));
    alertmanager.answer(200, "", Map.of());
    notifier.tick(at("2026-03-01T12:06:15Z"));
    notifier.tick(at("2026-03-01T12:07:14Z"));

    assertThat(alertmanager.requests()).hasSize(3);
    assertThat(alertmanager.json(2)).isEqualTo(tree("[" + postable("n1", "2026-03-01T12:10:15Z") + "]"));
  }

  @Test
  void send_refusedByAlertmanager_isNotRefreshed() {
    alertmanager.answer(400, "\"invalid label set: invalid name \\\"team-name\\\"\"", Map.of());
    AlertmanagerNotifier notifier = notifier("");

    Delivery delivery = notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1")));
    notifier.tick(at("2026-03-01T12:06:00Z"));

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 400: \"invalid label set: invalid name \\\"team-name\\\"\""));
    assertThat(alertmanager.requests()).hasSize(1);
  }

  @Test
  void send_retried_isRefreshedOnlyOnceAccepted() {
    alertmanager.answer(500, "", Map.of());
    AlertmanagerNotifier notifier = notifier("");

    assertThat(notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1")))).isEqualTo(Delivery.retry("HTTP 500",
        null));
    notifier.tick(at("2026-03-01T12:06:00Z"));
    assertThat(alertmanager.requests()).hasSize(1);

    alertmanager.answer(200, "", Map.of());
    notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1")));
    notifier.tick(at("2026-03-01T12:07:00Z"));
    assertThat(alertmanager.requests()).hasSize(3);
  }

  @Test
  void send_testMessage_expiresByItselfAndIsNotRefreshed() throws Exception {
    long now = clock.millis();
    Alert alert = new Alert(AlertEvent.Type.FIRING, Map.of("channel", "am"),
        Map.of("summary", "A test message from Tocsin: this channel works."), 1, 0, now, now, 0, now, "test-am", "");
    Notification test = new Notification("000002", "am", "test", "Tocsin test notification", Map.of(), "",
        "http://tocsin.example:8080/", List.of(alert), now, true);
    AlertmanagerNotifier notifier = notifier("");

    notifier.send(test);
    notifier.tick(at("2026-03-01T12:06:00Z"));

    assertThat(alertmanager.requests()).hasSize(1);
    assertThat(alertmanager.json(0)).isEqualTo(tree("""
        [{
          "labels": {"alertname": "Tocsin test notification", "channel": "am"},
          "annotations": {"summary": "A test message from Tocsin: this channel works."},
          "startsAt": "2026-03-01T12:05:00Z",
          "endsAt": "2026-03-01T12:09:00Z",
          "generatorURL": "http://tocsin.example:8080/"
        }]"""));
  }

  @Test
  void send_urlWithARoutePrefix_postsUnderIt() {
    AlertmanagerNotifier notifier = notifier("- {name: am, type: alertmanager, url: \"" + alertmanager.url("/am/")
        + "\"}", stateDir);

    assertThat(notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1")))).isEqualTo(Delivery.sent("HTTP 200"));
    assertThat(alertmanager.requests().get(0).path()).isEqualTo("/am/api/v2/alerts");
  }

  @Test
  void tick_withBearerTokenAndHeaders_sendsThemOnRefreshesToo() {
    AlertmanagerNotifier notifier = notifier(", bearer_token: t0ken, headers: {X-Scope-OrgID: team-a}");
    notifier.send(notification(alert(AlertEvent.Type.FIRING, "n1")));

    notifier.tick(at("2026-03-01T12:06:00Z"));

    assertThat(alertmanager.requests()).hasSize(2).allSatisfy(r -> assertThat(r.headers())
        .containsEntry("authorization", "Bearer t0ken").containsEntry("x-scope-orgid", "team-a"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      url missing            | {name: am, type: alertmanager}                                                | r.yml:2:5: channel "am" (alertmanager) needs url, e.g. http://alertmanager:9093
      url with the API path  | {name: am, type: alertmanager, url: "http://am.example:9093/api/v2/alerts"}    | r.yml:2:41: url of channel "am" is Alertmanager's base URL, such as http://alertmanager:9093; leave out /api/v2/alerts
      url with the v1 path   | {name: am, type: alertmanager, api_url: "http://am.example/am/api/v1/alerts/"} | r.yml:2:45: api_url of channel "am" is Alertmanager's base URL, such as http://alertmanager:9093; leave out /api/v1/alerts/
      send_resolved false    | {name: am, type: alertmanager, url: "http://am.example", send_resolved: false} | r.yml:2:77: send_resolved of channel "am" must stay true for Alertmanager, which learns only from Tocsin that an alert resolved; whether its receivers hear of resolutions is their send_resolved in Alertmanager
      basic and bearer       | {name: am, type: alertmanager, url: "http://am.example", username: u, password: p, bearer_token: t} | r.yml:2:102: bearer_token of channel "am" cannot be used together with username and password; give one of them
      """)
  void parse_invalidSettings_reportsPositionedError(String what, String channel, String expected) {
    assertThat(ChannelYaml.errors("- " + channel)).isEqualTo(expected);
  }
}
