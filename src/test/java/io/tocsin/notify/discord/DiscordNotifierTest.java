package io.tocsin.notify.discord;

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

class DiscordNotifierTest {
  static final String HOOK_PATH = "/api/webhooks/1234567890/DiscordWebhookToken42secret";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path stateDir;
  private final RecordingReceiver discord = RecordingReceiver.start(HOOK_PATH);

  @AfterEach
  void stop() {
    discord.close();
  }

  private DiscordNotifier notifier() {
    return ChannelYaml.notifier("- {name: dc, type: discord, webhook_url: \"" + discord.url(HOOK_PATH) + "\"}",
        DiscordNotifier::parse, DiscordNotifier::new, stateDir);
  }

  @Test
  void send_firingAlert_postsTheExactWebhookMessage() throws Exception {
    discord.answer(204, "", Map.of());

    Delivery delivery = notifier().send(notification("dc", List.of(firing(Map.of("node", "n1"),
        Map.of("summary", "Shard n1 is down", "runbook_url", "https://runbooks.example/redis (v2)")))));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 204"));
    assertThat(discord.json(0)).isEqualTo(JSON.readTree("""
        {
          "content": "\\\\[FIRING\\\\] Redis shard is down {node=\\"n1\\"}",
          "embeds": [{
            "title": "Redis shard is down",
            "url": "http://tocsin.example/monitors/redis-shard-is-down",
            "description": "**FIRING** {node=\\"n1\\"}\\nvalue 0 is below the minimum 1, breaching since 2026\\\\-03\\\\-01 11:55:00 UTC, firing since 2026\\\\-03\\\\-01 12:00:00 UTC\\nShard n1 is down\\n[Runbook](https://runbooks.example/redis%20%28v2%29)",
            "color": 14687834,
            "timestamp": "2026-03-01T12:00:00Z"
          }],
          "allowed_mentions": {"parse": []}
        }"""));
  }

  @Test
  void send_resolution_isGreenAndSaysHowLongItFired() throws Exception {
    notifier().send(notification("dc", List.of(firing("n1"))));
    notifier().send(notification("dc", List.of(resolved("n1"))));

    assertThat(discord.json(0).get("embeds").get(0).get("color").asInt()).isEqualTo(DiscordMessage.RED);
    JsonNode embed = discord.json(1).get("embeds").get(0);
    assertThat(embed.get("color").asInt()).isEqualTo(DiscordMessage.GREEN);
    assertThat(embed.get("description").asText()).isEqualTo("**RESOLVED** {node=\"n1\"}\nresolved at 2026\\-03\\-01 "
        + "12:10:00 UTC after firing for 10m \\(value 1\\)");
    assertThat(discord.json(1).get("content").asText()).isEqualTo("\\[RESOLVED\\] Redis shard is down {node=\"n1\"}");
  }

  @Test
  void send_hostileLabel_isEscapedAndPingsNobody() throws Exception {
    notifier().send(notification("dc", List.of(firing(Map.of("node", HOSTILE), Map.of()))));

    String labels = "{node=\"\\<b\\>x\\</b\\> \\*y\\* \\_z\\_ \\@here \\@everyone \\[a\\]\\(http://x\\) \\\\\"q\\\\\" \\`c\\`\n\\# h\"}";
    assertThat(discord.json(0).get("content").asText()).isEqualTo("\\[FIRING\\] Redis shard is down " + labels);
    assertThat(discord.json(0).get("embeds").get(0).get("description").asText())
        .startsWith("**FIRING** " + labels + "\n");
    assertThat(discord.json(0).get("allowed_mentions")).isEqualTo(JSON.readTree("{\"parse\": []}"));
  }

  @Test
  void send_manyHugeAlerts_staysWithinDiscordsLimitsAndCountsWhatIsLeftOut() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      alerts.add(firing(Map.of("node", i + "*".repeat(3000)), Map.of("summary", "_".repeat(3000))));
    }

    notifier().send(notification("dc", Map.of(), alerts));

    JsonNode body = discord.json(0);
    JsonNode embed = body.get("embeds").get(0);
    String description = embed.get("description").asText();
    assertThat(body.get("content").asText().length()).isLessThanOrEqualTo(2000);
    assertThat(description.length()).isLessThanOrEqualTo(4096);
    assertThat(embed.get("title").asText().length() + description.length()).isLessThanOrEqualTo(6000);
    int shown = description.split("\\*\\*FIRING\\*\\*", -1).length - 1;
    assertThat(shown).isPositive();
    assertThat(description).endsWith("\n\n… and " + (50 - shown) + " more alerts");
  }

  @Test
  void send_429_waitsForTheBodysFractionalRetryAfterOverTheHeader() {
    discord.answer(429, "{\"message\": \"You are being rate limited.\", \"retry_after\": 1.5, \"global\": false}",
        Map.of("Retry-After", "60"));

    Delivery delivery = notifier().send(notification("dc", List.of(firing("n1"))));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 429: You are being rate limited.", Duration.ofMillis(1500)));
  }

  @Test
  void send_502FromAProxy_isRetriedAfterTheHeader() {
    discord.answer(502, "<html>Bad Gateway</html>", Map.of("Retry-After", "3"));

    assertThat(notifier().send(notification("dc", List.of(firing("n1")))))
        .isEqualTo(Delivery.retry("HTTP 502: <html>Bad Gateway</html>", Duration.ofSeconds(3)));
  }

  @Test
  void send_unknownWebhook_failsWithDiscordsMessage() {
    discord.answer(404, "{\"message\": \"Unknown Webhook\", \"code\": 10015}", Map.of());

    assertThat(notifier().send(notification("dc", List.of(firing("n1")))))
        .isEqualTo(Delivery.failed("HTTP 404: Unknown Webhook (code 10015)"));
  }

  @Test
  void send_echoingServer_neverShowsTheWebhookToken() {
    discord.echo(401);

    Delivery delivery = notifier().send(notification("dc", List.of(firing("n1"))));

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.FAILED);
    assertThat(delivery.detail()).startsWith("HTTP 401: unauthorized request: POST <redacted>")
        .doesNotContain("DiscordWebhookToken42secret");
  }

  @Test
  void parse_missingOrBadWebhookUrl_isAPositionedErrorWithoutTheValue() {
    assertThat(ChannelYaml.errors("- {name: dc, type: discord}")).isEqualTo("r.yml:2:5: channel \"dc\" (discord) needs "
        + "webhook_url, e.g. \"${DISCORD_WEBHOOK_URL}\" (https://discord.com/api/webhooks/<id>/<token>)");
    assertThat(ChannelYaml.errors("- {name: dc, type: discord, webhook_url: \"discord.com/s3cret\"}"))
        .isEqualTo("r.yml:2:44: webhook_url of channel \"dc\" must be an http:// or https:// URL");
    assertThat(ChannelYaml.errors("- {name: dc, type: discord, webhook_url: \"https://x/y\", api_url: \"https://x\"}"))
        .isEqualTo("r.yml:2:68: api_url of channel \"dc\" is not used by discord channels: webhook_url is the endpoint");
  }
}
