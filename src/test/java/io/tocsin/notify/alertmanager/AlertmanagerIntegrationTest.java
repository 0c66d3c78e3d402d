package io.tocsin.notify.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.notify.NotifierContext;
import io.tocsin.notify.webhook.ChannelYaml;
import io.tocsin.rules.AlertEvent;
import io.tocsin.util.MutableClock;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel against a real Alertmanager. Skipped only where the binary is not installed
 * ({@code apt-get install prometheus-alertmanager}; CI installs it). Times follow the wall clock,
 * as Alertmanager's own clock decides what is resolved, but stand still within a test so that
 * every timestamp can be checked exactly.
 */
class AlertmanagerIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private AlertmanagerProcess alertmanager;
  private MutableClock clock;
  private AlertmanagerNotifier notifier;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(AlertmanagerProcess.installed(),
        AlertmanagerProcess.BINARY + " is not installed (Debian package prometheus-alertmanager)");
    alertmanager = AlertmanagerProcess.start(Files.createDirectory(dir.resolve("alertmanager")));
    clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1));
    notifier = new AlertmanagerNotifier(
        ChannelYaml.parse("- {name: am, type: alertmanager, url: \"" + alertmanager.url() + "\"}",
            AlertmanagerNotifier::parse),
        new NotifierContext(clock, dir.resolve("state"), null, "http://tocsin.example:8080", HttpClient.newHttpClient(),
            Duration.ofSeconds(10)));
  }

  @AfterEach
  void stop() throws Exception {
    if (alertmanager != null) {
      alertmanager.close();
    }
  }

  private Alert alert(AlertEvent.Type type) {
    long now = clock.millis();
    long firedAt = now - 60_000;
    boolean resolved = type == AlertEvent.Type.RESOLVED;
    return new Alert(type, Map.of("cluster", "c1", "node", "n1"), Map.of("summary", "Shard n1 is down"),
        resolved ? 1 : 0, 1, firedAt - 300_000, firedAt, resolved ? now : 0, now, "redis-shard-is-down-n1", "");
  }

  private static Notification notification(Alert alert) {
    return new Notification("000001", "am", "redis-shard-is-down", "Redis shard is down", Map.of("severity", "page"),
        "", "http://tocsin.example:8080/monitors/redis-shard-is-down", List.of(alert), alert.at(), false);
  }

  private JsonNode onlyAlert() throws Exception {
    List<JsonNode> alerts = alertmanager.alerts();
    assertThat(alerts).as("alerts in Alertmanager").hasSize(1);
    return alerts.get(0);
  }

  private static Instant time(JsonNode alert, String field) {
    return Instant.parse(alert.get(field).asText());
  }

  @Test
  void send_firingAlert_isActiveInAlertmanagerUntilItResolves() throws Exception {
    Instant now = clock.instant();

    assertThat(notifier.send(notification(alert(AlertEvent.Type.FIRING)))).isEqualTo(Delivery.sent("HTTP 200"));

    JsonNode active = onlyAlert();
    assertThat(active.get("labels")).isEqualTo(JSON.readTree("""
        {"alertname": "Redis shard is down", "cluster": "c1", "node": "n1", "severity": "page"}"""));
    assertThat(active.get("annotations")).isEqualTo(JSON.readTree("{\"summary\": \"Shard n1 is down\"}"));
    assertThat(time(active, "startsAt")).isEqualTo(now.minusSeconds(60));
    assertThat(time(active, "endsAt")).isEqualTo(now.plus(AlertmanagerNotifier.VALIDITY));
    assertThat(active.get("generatorURL").asText())
        .isEqualTo("http://tocsin.example:8080/monitors/redis-shard-is-down");
    assertThat(active.get("receivers")).isEqualTo(JSON.readTree("[{\"name\": \"null\"}]"));

    clock.advance(Duration.ofSeconds(1)); // resolved a second later: in the past for Alertmanager
    assertThat(notifier.send(notification(alert(AlertEvent.Type.RESOLVED)))).isEqualTo(Delivery.sent("HTTP 200"));

    assertThat(alertmanager.alerts()).as("alerts in Alertmanager after the resolve").isEmpty();
  }

  @Test
  void tick_afterTheRefreshInterval_extendsEndsAtInAlertmanager() throws Exception {
    Instant firedAt = clock.instant().minusSeconds(60);
    notifier.send(notification(alert(AlertEvent.Type.FIRING)));
    Instant refreshAt = clock.instant().plus(AlertmanagerNotifier.REFRESH_INTERVAL);

    notifier.tick(refreshAt.toEpochMilli());

    JsonNode refreshed = onlyAlert();
    assertThat(time(refreshed, "endsAt")).isEqualTo(refreshAt.plus(AlertmanagerNotifier.VALIDITY));
    assertThat(time(refreshed, "startsAt")).isEqualTo(firedAt);
  }

  @Test
  void send_invalidLabelName_isRefusedForGoodWithAlertmanagersReason() throws Exception {
    Alert alert = alert(AlertEvent.Type.FIRING);
    Notification n = new Notification("000001", "am", "redis-shard-is-down", "Redis shard is down",
        Map.of("team-name", "db"), "", "http://tocsin.example:8080/monitors/redis-shard-is-down", List.of(alert),
        alert.at(), false);

    Delivery delivery = notifier.send(n);

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 400: \"invalid label set: invalid name \\\"team-name\\\"\""));
    assertThat(alertmanager.alerts()).isEmpty();
  }
}
