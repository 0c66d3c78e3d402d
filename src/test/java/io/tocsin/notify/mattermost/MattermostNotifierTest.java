package io.tocsin.notify.mattermost;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MattermostNotifierTest {
  static final String HOOK_PATH = "/hooks/mattermostHookKey42secret";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ZWSP = "\u200B";

  @TempDir
  Path stateDir;
  private final RecordingReceiver mattermost = RecordingReceiver.start(HOOK_PATH);

  @AfterEach
  void stop() {
    mattermost.close();
  }

  private MattermostNotifier notifier() {
    return ChannelYaml.notifier("- {name: mm, type: mattermost, webhook_url: \"" + mattermost.url(HOOK_PATH) + "\"}",
        MattermostNotifier::parse, MattermostNotifier::new, stateDir);
  }

  @Test
  void send_firingAlert_postsTheExactWebhookPayload() throws Exception {
    mattermost.answer(200, "ok", Map.of());

    Delivery delivery = notifier().send(notification("mm", List.of(firing(Map.of("node", "n1"),
        Map.of("summary", "Shard n1 is down", "runbook_url", "https://runbooks.example/redis")))));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200: ok"));
    assertThat(mattermost.json(0)).isEqualTo(JSON.readTree("""
        {
          "text": "\\\\[FIRING\\\\] Redis shard is down {node=\\"n1\\"}",
          "attachments": [{
            "fallback": "[FIRING] Redis shard is down {node=\\"n1\\"}",
            "color": "#E01E5A",
            "title": "Redis shard is down",
            "title_link": "http://tocsin.example/monitors/redis-shard-is-down",
            "text": "**FIRING** {node=\\"n1\\"}\\nvalue 0 is below the minimum 1, breaching since 2026\\\\-03\\\\-01 11:55:00 UTC, firing since 2026\\\\-03\\\\-01 12:00:00 UTC\\nShard n1 is down\\n[Runbook](https://runbooks.example/redis)"
          }]
        }"""));
  }

  @Test
  void send_resolution_isGreen() throws Exception {
    notifier().send(notification("mm", List.of(firing("n1"))));
    notifier().send(notification("mm", List.of(resolved("n1"))));

    JsonNode attachment = mattermost.json(1).get("attachments").get(0);
    assertThat(attachment.get("color").asText()).isEqualTo(MattermostMessage.GREEN);
    assertThat(attachment.get("text").asText()).isEqualTo("**RESOLVED** {node=\"n1\"}\nresolved at 2026\\-03\\-01 "
        + "12:10:00 UTC after firing for 10m \\(value 1\\)");
  }

  @Test
  void send_hostileLabel_isEscapedAndMentionsNobody() throws Exception {
    notifier().send(notification("mm", List.of(firing(Map.of("node", HOSTILE + " <!channel>"), Map.of()))));

    String labels = "{node=\"&lt;b&gt;x&lt;/b&gt; \\*y\\* \\_z\\_ @" + ZWSP + "here @" + ZWSP + "everyone \\[a\\]\\(http://x\\) "
        + "\\\\\"q\\\\\" \\`c\\`\n\\# h &lt;!channel&gt;\"}";
    assertThat(mattermost.json(0).get("text").asText()).isEqualTo("\\[FIRING\\] Redis shard is down " + labels);
    assertThat(mattermost.json(0).get("attachments").get(0).get("text").asText())
        .startsWith("**FIRING** " + labels + "\n");
    assertThat(mattermost.json(0).get("attachments").get(0).get("fallback").asText()).contains("@" + ZWSP + "here")
        .doesNotContain("@here", "<!channel>").endsWith("<" + ZWSP + "!channel>\"}");
  }

  @Test
  void send_manyHugeAlerts_staysWithinThePostLimitAndCountsWhatIsLeftOut() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      alerts.add(firing(Map.of("node", i + "&".repeat(5000)), Map.of("summary", "<".repeat(5000))));
    }

    notifier().send(notification("mm", alerts));

    String text = mattermost.json(0).get("attachments").get(0).get("text").asText();
    assertThat(text.length()).isLessThanOrEqualTo(16_383);
    int shown = text.split("\\*\\*FIRING\\*\\*", -1).length - 1;
    assertThat(shown).isPositive();
    assertThat(text).endsWith("\n\n… and " + (30 - shown) + " more alerts");
  }

  @Test
  void send_429_isRetriedAfterRetryAfter() {
    mattermost.answer(429, "limit exceeded", Map.of("Retry-After", "2"));

    assertThat(notifier().send(notification("mm", List.of(firing("n1")))))
        .isEqualTo(Delivery.retry("HTTP 429: limit exceeded", Duration.ofSeconds(2)));
  }

  @Test
  void send_500_isRetried() {
    mattermost.answer(500, "{\"id\":\"app.post.save.app_error\",\"message\":\"Unable to save the post.\"}", Map.of());

    assertThat(notifier().send(notification("mm", List.of(firing("n1")))))
        .isEqualTo(Delivery.retry("HTTP 500: Unable to save the post. (app.post.save.app_error)", null));
  }

  @Test
  void send_deletedWebhook_failsWithMattermostsMessageWithoutTheKey() {
    mattermost.answer(400, "{\"id\":\"web.incoming_webhook.invalid.app_error\",\"message\":\"Invalid webhook.\","
        + "\"detailed_error\":\"hook=mattermostHookKey42secret\",\"status_code\":400}", Map.of());

    Delivery delivery = notifier().send(notification("mm", List.of(firing("n1"))));

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 400: Invalid webhook. (web.incoming_webhook.invalid.app_error)"));
  }

  @Test
  void send_echoingServer_neverShowsTheWebhookKey() {
    mattermost.echo(404);

    Delivery delivery = notifier().send(notification("mm", List.of(firing("n1"))));

    assertThat(delivery.detail()).startsWith("HTTP 404: unauthorized request: POST <redacted>")
        .doesNotContain("mattermostHookKey42secret");
  }

  @Test
  void parse_missingWebhookUrl_isAPositionedError() {
    assertThat(ChannelYaml.errors("- {name: mm, type: mattermost, send_resolved: false}")).isEqualTo("r.yml:2:5: channel"
        + " \"mm\" (mattermost) needs webhook_url, e.g. \"${MATTERMOST_WEBHOOK_URL}\" "
        + "(https://mattermost.example.com/hooks/<key>)");
  }
}
