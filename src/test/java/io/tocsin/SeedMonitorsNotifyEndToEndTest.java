package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's shard-down monitor, verbatim from rules/redis.yml, telling Slack (an incoming
 * webhook), email (GreenMail, a real SMTP server) and Telegram (the Bot API) that shard n2 went
 * down and, a minute after it came back, that it resolved. Slack and Telegram are local HTTP
 * servers that record what they get; time is a simulated clock.
 */
class SeedMonitorsNotifyEndToEndTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHARD = "{bdb=\"1\", cluster=\"c1\", node=\"n2\"}";

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final RecordingReceiver slack = RecordingReceiver.start("/services/T000/B000/XXXX");
  private final RecordingReceiver telegram = RecordingReceiver.start("/bot123456:ABCdef/sendMessage");
  private final GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

  @AfterEach
  void stop() {
    slack.close();
    telegram.close();
    smtp.stop();
  }

  @Test
  void shardDown_reachesSlackEmailAndTelegram_firingThenResolved() throws Exception {
    smtp.start();
    slack.answer(200, "ok", Map.of());
    telegram.answer(200, "{\"ok\":true,\"result\":{\"message_id\":7}}", Map.of("Content-Type", "application/json"));
    Files.createDirectories(dataDir.resolve("rules"));
    Files.copy(Path.of("rules/redis.yml"), dataDir.resolve("rules/redis.yml"));
    Files.writeString(dataDir.resolve("rules/channels.yml"), """
        channels:
          - {name: oncall-slack, type: slack, webhook_url: "%s"}
          - {name: sre-email, type: email, to: [sre@example.com], from: tocsin@example.com,
             host: 127.0.0.1, port: %d, starttls: false}
          - {name: ops-telegram, type: telegram, bot_token: "123456:ABCdef", chat_id: "42", api_url: "%s"}
        """.formatted(slack.url("/services/T000/B000/XXXX"), smtp.getSmtp().getPort(), telegram.url("")));

    try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock, false)) {
      for (int m = 0; m <= 6; m++) {
        int minute = m;
        long at = T0.toEpochMilli() + m * 60_000L + 10_000;
        tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("cluster", "c1", "bdb", "1", "node", "n1"),
            s -> s.append(at, 1));
        tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("cluster", "c1", "bdb", "1", "node", "n2"),
            s -> s.append(at, minute < 5 ? 0 : 1));
      }
      // The seed monitor has 1 m buckets evaluated 30 s after they end, and fires after 5 m.
      for (int m = 1; m <= 7; m++) {
        clock.set(T0.plus(Duration.ofMinutes(m)).plusSeconds(30));
        tocsin.evaluateMonitors();
      }

      assertThat(slackTexts()).containsExactly(
          "[FIRING] Redis shard is down " + escapedForSlack(SHARD),
          "[RESOLVED] Redis shard is down " + escapedForSlack(SHARD));

      List<String> subjects = new ArrayList<>();
      for (MimeMessage mail : smtp.getReceivedMessages()) {
        subjects.add(mail.getSubject() + " -> " + mail.getAllRecipients()[0]);
      }
      assertThat(subjects).containsExactly(
          "[FIRING] Redis shard is down " + SHARD + " -> sre@example.com",
          "[RESOLVED] Redis shard is down " + SHARD + " -> sre@example.com");

      List<String> telegramTexts = new ArrayList<>();
      for (RecordingReceiver.Request r : telegram.requests()) {
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("chat_id").asLong()).isEqualTo(42);
        assertThat(body.get("parse_mode").asText()).isEqualTo("HTML");
        telegramTexts.add(body.get("text").asText().lines().findFirst().orElseThrow());
      }
      assertThat(telegramTexts).containsExactly(
          "<b>[FIRING] Redis shard is down " + SHARD + "</b>",
          "<b>[RESOLVED] Redis shard is down " + SHARD + "</b>");
      assertThat(telegram.requests().get(1).body()).contains("resolved at 2026-03-01 12:06:00 UTC after firing for 1m (value 1)");

      assertThat(tocsin.engine().history().entries().stream().filter(e -> e.channel() != null)
          .map(e -> e.channel() + " " + e.type()).toList())
          .containsExactlyInAnyOrder("oncall-slack sent", "sre-email sent", "ops-telegram sent",
              "oncall-slack sent", "sre-email sent", "ops-telegram sent");
    }
  }

  private List<String> slackTexts() throws Exception {
    List<String> texts = new ArrayList<>();
    for (RecordingReceiver.Request r : slack.requests()) {
      texts.add(JSON.readTree(r.body()).get("text").asText());
    }
    return texts;
  }

  private static String escapedForSlack(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
