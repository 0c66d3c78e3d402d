package io.tocsin.notify.slack;

import static io.tocsin.notify.slack.SlackTestData.LINK;
import static io.tocsin.notify.slack.SlackTestData.T0;
import static io.tocsin.notify.slack.SlackTestData.alert;
import static io.tocsin.notify.slack.SlackTestData.context;
import static io.tocsin.notify.slack.SlackTestData.firing;
import static io.tocsin.notify.slack.SlackTestData.json;
import static io.tocsin.notify.slack.SlackTestData.notification;
import static io.tocsin.notify.slack.SlackTestData.resolved;
import static io.tocsin.notify.slack.SlackTestData.testNotification;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.NetworkFailures;
import io.tocsin.notify.Notification;
import io.tocsin.rules.AlertEvent;
import io.tocsin.testing.ChannelTestData;
import io.tocsin.util.MutableClock;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlackWebhookTest {
  private final SlackFixture fixture = new SlackFixture();
  private final FakeSlack slack = fixture.slack;
  private final MutableClock clock = fixture.clock;
  @TempDir
  Path dir;

  @AfterEach
  void stop() {
    fixture.close();
  }

  private SlackNotifier notifier() {
    return notifier(Duration.ofSeconds(5));
  }

  private SlackNotifier notifier(Duration timeout) {
    return fixture.webhook(slack.webhookUrl(), dir, timeout);
  }

  @Test
  void send_firingAlert_postsBlockKitPayloadToTheWebhook() {
    Notification n = notification(alert(AlertEvent.Type.FIRING, "n1",
        Map.of("summary", "Shard n1 is down", "description", "Writes to n1 fail.",
            "runbook_url", "https://runbooks.example/redis?shard=n1&step=2")));

    Delivery delivery = notifier().send(n);

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200: ok"));
    List<FakeSlack.Request> requests = slack.requests();
    assertThat(requests).extracting(FakeSlack.Request::path).containsExactly(FakeSlack.WEBHOOK_PATH);
    assertThat(requests.get(0).contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(requests.get(0).authorization()).isNull();
    assertThat(json(requests.get(0).body())).isEqualTo(json("""
        {
          "text": "[FIRING] Redis shard is down {node=\\"n1\\"}",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*[FIRING] Redis shard is down {node=\\"n1\\"}*", "verbatim": true}}
          ],
          "attachments": [{
            "color": "#E01E5A",
            "fallback": "[FIRING] Redis shard is down {node=\\"n1\\"}",
            "blocks": [
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Firing* {node=\\"n1\\"}\\nvalue 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC\\nShard n1 is down\\nWrites to n1 fail.\\n<https://runbooks.example/redis?shard=n1&amp;step=2|Runbook>"}},
              {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/monitors/redis-shard-is-down|Open the monitor in Tocsin>"}]}
            ]
          }]
        }
        """));
  }
  @Test
  void send_aGroupOfTwoMonitors_titlesItByBothAndSaysWhichMonitorEachAlertIsOf() {
    Delivery delivery = notifier().send(ChannelTestData.grouped("ops"));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200: ok"));
    assertThat(json(slack.requests().get(0).body())).isEqualTo(json("""
        {
          "text": "[FIRING:1, RESOLVED:1] Redis shard is down, Redis hit rate {cluster=\\"c1\\"}",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
              "text": "*[FIRING:1, RESOLVED:1] Redis shard is down, Redis hit rate {cluster=\\"c1\\"}*"}}
          ],
          "attachments": [{
            "color": "#E01E5A",
            "fallback": "[FIRING:1, RESOLVED:1] Redis shard is down, Redis hit rate {cluster=\\"c1\\"}",
            "blocks": [
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Firing* {node=\\"n1\\"}\\nRedis shard is down: value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC\\nShard n1 is down"}},
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Resolved* {node=\\"n2\\"}\\nRedis hit rate: resolved at 2026-03-01 12:10:00 UTC after firing for 10m (value 93%)"}},
              {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/#alerts|Open the alerts in Tocsin>"}]}
            ]
          }]
        }
        """));
  }

  @Test
  void send_resolvedAlert_isGreenAndSaysHowLongItFired() {
    Delivery delivery = notifier().send(notification(resolved("n1")));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200: ok"));
    assertThat(json(slack.requests().get(0).body())).isEqualTo(json("""
        {
          "text": "[RESOLVED] Redis shard is down {node=\\"n1\\"}",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*[RESOLVED] Redis shard is down {node=\\"n1\\"}*", "verbatim": true}}
          ],
          "attachments": [{
            "color": "#2EB67D",
            "fallback": "[RESOLVED] Redis shard is down {node=\\"n1\\"}",
            "blocks": [
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Resolved* {node=\\"n1\\"}\\nresolved at 2026-03-01 13:05:00 UTC after firing for 1h5m (value 1)"}},
              {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/monitors/redis-shard-is-down|Open the monitor in Tocsin>"}]}
            ]
          }]
        }
        """));
  }

  @Test
  void send_mixedFiringAndResolved_isRedAndCountsBoth() {
    Delivery delivery = notifier().send(notification(firing("n1"), SlackTestData.repeat("n2"), resolved("n3")));

    assertThat(delivery.isSent()).isTrue();
    assertThat(json(slack.requests().get(0).body())).isEqualTo(json("""
        {
          "text": "[FIRING:2, RESOLVED:1] Redis shard is down",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*[FIRING:2, RESOLVED:1] Redis shard is down*", "verbatim": true}}
          ],
          "attachments": [{
            "color": "#E01E5A",
            "fallback": "[FIRING:2, RESOLVED:1] Redis shard is down",
            "blocks": [
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Firing* {node=\\"n1\\"}\\nvalue 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC"}},
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Still firing* {node=\\"n2\\"}\\nvalue 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC"}},
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Resolved* {node=\\"n3\\"}\\nresolved at 2026-03-01 13:05:00 UTC after firing for 1h5m (value 1)"}},
              {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/monitors/redis-shard-is-down|Open the monitor in Tocsin>"}]}
            ]
          }]
        }
        """));
  }

  @Test
  void send_hostileLabelsAndAnnotations_areEscapedAndNeverMentionAnyone() {
    Alert hostile = alert(AlertEvent.Type.FIRING,
        Map.of("node", "<script>alert(1)</script>", "team", "<!channel> & <@U0123>"),
        Map.of("summary", "ping <!here> <#C0123|general>", "description", "a|b > c & d",
            "runbook_url", "javascript:alert('<x>')"));
    Notification n = new Notification("0001772366400000-000000001", "ops", "m", "<!everyone> down", Map.of(), "",
        "http://tocsin.example/monitors/m?a=1&b=2", List.of(hostile), T0, false);

    assertThat(notifier().send(n).isSent()).isTrue();

    JsonNode body = json(slack.requests().get(0).body());
    String title = "[FIRING] &lt;!everyone&gt; down {node=\\\"&lt;script&gt;alert(1)&lt;/script&gt;\\\", "
        + "team=\\\"&lt;!channel&gt; &amp; &lt;@U0123&gt;\\\"}";
    assertThat(body).isEqualTo(json("""
        {
          "text": "%1$s",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*%1$s*", "verbatim": true}}
          ],
          "attachments": [{
            "color": "#E01E5A",
            "fallback": "%1$s",
            "blocks": [
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Firing* {node=\\"&lt;script&gt;alert(1)&lt;/script&gt;\\", team=\\"&lt;!channel&gt; &amp; &lt;@U0123&gt;\\"}\\nvalue 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC\\nping &lt;!here&gt; &lt;#C0123|general&gt;\\na|b &gt; c &amp; d\\nRunbook: javascript:alert('&lt;x&gt;')"}},
              {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/monitors/m?a=1&amp;b=2|Open the monitor in Tocsin>"}]}
            ]
          }]
        }
        """.formatted(title)));
    // Whatever Slack would parse as a mention or link starts with '<'; only the monitor link may.
    List<String> texts = body.findValuesAsText("text");
    texts.addAll(body.findValuesAsText("fallback"));
    assertThat(String.join("\n", texts)).doesNotContain("<!", "<@", "<#", "<script");
  }

  @Test
  void send_moreThanTwentyAlerts_listsTwentyAndSaysHowManyMore() {
    List<Alert> alerts = IntStream.rangeClosed(1, 23).mapToObj(i -> firing("n" + i)).toList();

    notifier().send(notification("0001772366400000-000000001", alerts));

    JsonNode body = json(slack.requests().get(0).body());
    assertThat(body.get("text").asText()).isEqualTo("[FIRING:23] Redis shard is down");
    JsonNode blocks = body.get("attachments").get(0).get("blocks");
    assertThat(blocks).hasSize(22);
    assertThat(blocks.get(19).get("text").get("text").asText()).startsWith("*Firing* {node=\"n20\"}\n");
    assertThat(blocks.get(20)).isEqualTo(json("""
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "and 3 more", "verbatim": true}]}
        """));
    assertThat(blocks.get(21).get("elements").get(0).get("text").asText())
        .isEqualTo("<" + LINK + "|Open the monitor in Tocsin>");
  }

  @Test
  void send_hugeLabelsAndAnnotations_areCutToSlacksSectionLimit() {
    String huge = "x & y ".repeat(1000);
    Notification n = notification(alert(AlertEvent.Type.FIRING, Map.of("node", huge),
        Map.of("summary", huge, "description", huge)));

    notifier().send(n);

    JsonNode body = json(slack.requests().get(0).body());
    String title = body.get("blocks").get(0).get("text").get("text").asText();
    String section = body.get("attachments").get(0).get("blocks").get(0).get("text").get("text").asText();
    assertThat(title).hasSizeLessThanOrEqualTo(3000).startsWith("*[FIRING] Redis shard is down {node=\"x &amp; y x &amp; y").endsWith("…*");
    String[] lines = section.split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).startsWith("*Firing* {node=\"x &amp; y").endsWith("…").hasSizeLessThanOrEqualTo(9 + 800);
    assertThat(lines[1]).isEqualTo("value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC");
    assertThat(lines[2]).startsWith("x &amp; y").endsWith("…").hasSizeLessThanOrEqualTo(800).isEqualTo(lines[3]);
    assertThat(body.get("text").asText()).isEqualTo(title.substring(1, title.length() - 1));
  }

  @Test
  void send_testMessage_isGreyAndMarkedAsATest() {
    Delivery delivery = notifier().send(testNotification());

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200: ok"));
    assertThat(json(slack.requests().get(0).body())).isEqualTo(json("""
        {
          "text": "[TEST] Tocsin test notification",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*[TEST] Tocsin test notification*", "verbatim": true}}
          ],
          "attachments": [{
            "color": "#9E9EA6",
            "fallback": "[TEST] Tocsin test notification",
            "blocks": [
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Test* {channel=\\"ops\\"}\\nvalue 1 is above the maximum 0 since 2026-03-01 12:00:00 UTC\\nA test message from Tocsin: this channel works."}},
              {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/|Open the monitor in Tocsin>"}]}
            ]
          }]
        }
        """));
  }

  @Test
  void send_429WithRetryAfter_isRetriedAfterThatDelay() {
    slack.enqueue(FakeSlack.Answer.of(429, "rate_limited").withHeader("Retry-After", "30"));

    Delivery delivery = notifier().send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 429: rate_limited", Duration.ofSeconds(30)));
  }

  @Test
  void send_500_isRetried() {
    slack.enqueue(FakeSlack.Answer.of(500, "rollup_error"));

    Delivery delivery = notifier().send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 500: rollup_error", null));
  }

  @ParameterizedTest
  @CsvSource({"400, invalid_blocks", "403, action_prohibited", "404, no_service", "410, channel_is_archived"})
  void send_4xx_failsWithSlacksErrorCode(int status, String error) {
    slack.enqueue(FakeSlack.Answer.of(status, error));

    Delivery delivery = notifier().send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP " + status + ": " + error));
  }

  @Test
  void send_errorEchoingTheWebhookUrl_neverShowsIt() {
    slack.enqueue(FakeSlack.Answer.of(404, "no hook " + slack.webhookUrl() + " (path " + FakeSlack.WEBHOOK_PATH + ")"));

    Delivery delivery = notifier().send(notification(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 404: no hook <redacted> (path <redacted>)"));
  }

  @Test
  void send_nothingListening_isRetriedAsANetworkError() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + FakeSlack.WEBHOOK_PATH;
    SlackNotifier notifier = fixture.webhook(url, dir, Duration.ofSeconds(5));

    Delivery delivery = notifier.send(notification(firing("n1")));

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.RETRY);
    assertThat(delivery.detail()).isEqualTo("connection refused by 127.0.0.1:" + port); // not the secret path
    assertThat(delivery.retryAfter()).isNull();
  }

  @Test
  void send_slowerThanTheRequestTimeout_isRetried() {
    CountDownLatch release = new CountDownLatch(1);
    slack.enqueue(new FakeSlack.Answer(200, Map.of(), "ok", release));
    try {
      Delivery delivery = notifier(Duration.ofMillis(300)).send(notification(firing("n1")));

      assertThat(delivery).isEqualTo(Delivery.retry("no answer from " + NetworkFailures.hostAndPort(URI.create(slack.webhookUrl()))
          + " within 300 ms", null));
    } finally {
      release.countDown();
    }
  }

  @Test
  void minInterval_isSlacksOneMessagePerSecond() {
    assertThat(notifier().minInterval()).isEqualTo(Duration.ofSeconds(1));
  }
}
