package io.tocsin.notify.teams;

import static io.tocsin.testing.ChannelTestData.HOSTILE;
import static io.tocsin.testing.ChannelTestData.firing;
import static io.tocsin.testing.ChannelTestData.notification;
import static io.tocsin.testing.ChannelTestData.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.webhook.ChannelYaml;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.ChannelTestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeamsNotifierTest {
  static final String FLOW_PATH = "/workflows/0a1b2c3d4e/triggers/manual/paths/invoke";
  static final String QUERY = "api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=TeamsSigSecret42xyz";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path stateDir;
  private final RecordingReceiver teams = RecordingReceiver.start(FLOW_PATH);

  @AfterEach
  void stop() {
    teams.close();
  }

  private TeamsNotifier notifier() {
    return ChannelYaml.notifier("- {name: ms, type: teams, webhook_url: \"" + teams.url(FLOW_PATH + "?" + QUERY)
        + "\"}", TeamsNotifier::parse, TeamsNotifier::new, stateDir);
  }

  @Test
  void send_firingAlert_postsTheExactAdaptiveCard() throws Exception {
    teams.answer(202, "", Map.of());

    Delivery delivery = notifier().send(notification("ms", List.of(firing(Map.of("node", "n1"),
        Map.of("summary", "Shard n1 is down", "runbook_url", "https://runbooks.example/redis")))));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 202"));
    assertThat(teams.requests().get(0).query()).isEqualTo(QUERY);
    assertThat(teams.json(0)).isEqualTo(JSON.readTree("""
        {
          "type": "message",
          "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
              "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
              "type": "AdaptiveCard",
              "version": "1.4",
              "msteams": {"width": "Full"},
              "body": [
                {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "[FIRING] Redis shard is down {node=\\"n1\\"}", "weight": "Bolder", "size": "Medium", "color": "Attention"}]},
                {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "FIRING", "weight": "Bolder", "color": "Attention"}, {"type": "TextRun", "text": " {node=\\"n1\\"}"}], "separator": true},
                {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC"}]},
                {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "Shard n1 is down"}]},
                {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "Runbook", "selectAction": {"type": "Action.OpenUrl", "url": "https://runbooks.example/redis"}}]}
              ],
              "actions": [{"type": "Action.OpenUrl", "title": "Open in Tocsin", "url": "http://tocsin.example/monitors/redis-shard-is-down"}]
            }
          }]
        }"""));
  }

  @Test
  void send_resolution_isGood() throws Exception {
    notifier().send(notification("ms", List.of(firing("n1"))));
    notifier().send(notification("ms", List.of(resolved("n1"))));

    JsonNode body = teams.json(1).at("/attachments/0/content/body");
    assertThat(body.get(0).at("/inlines/0/color").asText()).isEqualTo("Good");
    assertThat(body.get(1).at("/inlines/0").toString()).isEqualTo(
        "{\"type\":\"TextRun\",\"text\":\"RESOLVED\",\"weight\":\"Bolder\",\"color\":\"Good\"}");
    assertThat(body.get(2).at("/inlines/0/text").asText())
        .isEqualTo("resolved at 2026-03-01 12:10:00 UTC after firing for 10m (value 1)");
  }

  @Test
  void send_hostileLabel_isAPlainTextRunNeverReadAsMarkdown() throws Exception {
    notifier().send(notification("ms", List.of(firing(Map.of("node", HOSTILE + " <at>all</at>"), Map.of()))));

    JsonNode body = teams.json(0).at("/attachments/0/content/body");
    assertThat(body.get(1).at("/inlines/1/text").asText())
        .isEqualTo(" {node=\"<b>x</b> *y* _z_ @here @everyone [a](http://x) \\\"q\\\" `c`\n# h <at>all</at>\"}");
    assertThat(body.findValues("type")).extracting(JsonNode::asText).doesNotContain("TextBlock");
    assertThat(teams.json(0).at("/attachments/0/content/msteams").has("entities")).isFalse();
  }

  @Test
  void send_manyHugeAlerts_staysWithinTeamsSizeAndCountsWhatIsLeftOut() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      alerts.add(firing(Map.of("node", i + "\u00e9\"".repeat(3000)), Map.of("summary", "€".repeat(3000))));
    }

    notifier().send(notification("ms", alerts));

    String sent = teams.requests().get(0).body();
    assertThat(sent.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(28_000);
    JsonNode body = JSON.readTree(sent).at("/attachments/0/content/body");
    int shown = (int) body.findValues("text").stream().filter(t -> t.asText().equals("FIRING")).count();
    assertThat(shown).isPositive();
    assertThat(body.get(body.size() - 1).at("/inlines/0/text").asText()).isEqualTo("… and " + (40 - shown)
        + " more alerts");
  }

  @Test
  void send_429_isRetriedAfterRetryAfter() {
    teams.answer(429, "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Rate limit is exceeded.\"}}",
        Map.of("Retry-After", "9"));

    assertThat(notifier().send(notification("ms", List.of(firing("n1"))))).isEqualTo(Delivery.retry(
        "HTTP 429: TooManyRequests: Rate limit is exceeded.", Duration.ofSeconds(9)));
  }

  @Test
  void send_502_isRetried() {
    teams.answer(502, "", Map.of());

    assertThat(notifier().send(notification("ms", List.of(firing("n1"))))).isEqualTo(Delivery.retry("HTTP 502", null));
  }

  @Test
  void send_disabledFlow_failsWithItsErrorWithoutTheSignature() {
    teams.answer(400, "{\"error\":{\"code\":\"WorkflowTriggerIsNotEnabled\",\"message\":\"Could not trigger workflow "
        + "with sig=TeamsSigSecret42xyz: it is disabled.\"}}", Map.of());

    assertThat(notifier().send(notification("ms", List.of(firing("n1"))))).isEqualTo(Delivery.failed(
        "HTTP 400: WorkflowTriggerIsNotEnabled: Could not trigger workflow with sig=<redacted>: it is disabled."));
  }
}
