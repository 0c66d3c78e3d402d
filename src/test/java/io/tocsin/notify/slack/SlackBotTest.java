package io.tocsin.notify.slack;

import static io.tocsin.notify.slack.FakeSlack.ts;
import static io.tocsin.notify.slack.SlackTestData.T0;
import static io.tocsin.notify.slack.SlackTestData.TOKEN;
import static io.tocsin.notify.slack.SlackTestData.context;
import static io.tocsin.notify.slack.SlackTestData.firing;
import static io.tocsin.notify.slack.SlackTestData.form;
import static io.tocsin.notify.slack.SlackTestData.json;
import static io.tocsin.notify.slack.SlackTestData.notification;
import static io.tocsin.notify.slack.SlackTestData.repeat;
import static io.tocsin.notify.slack.SlackTestData.resolved;
import static io.tocsin.notify.slack.SlackTestData.testNotification;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.notify.Alert;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.NetworkFailures;
import io.tocsin.notify.Notification;
import io.tocsin.util.MutableClock;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlackBotTest {
  private static final String FIRING_N1 = "[FIRING] Redis shard is down {node=\\\"n1\\\"}";
  private static final String SINCE = "value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC";
  private static final String FIRED_FOR = "resolved at 2026-03-01 13:05:00 UTC after firing for 1h5m (value 1)";

  private final SlackFixture fixture = new SlackFixture();
  private final FakeSlack slack = fixture.slack;
  private final MutableClock clock = fixture.clock;
  @TempDir
  Path dir;
  private int nextId = 1;

  @AfterEach
  void stop() {
    fixture.close();
  }

  private SlackNotifier notifier() {
    return notifier("#alerts");
  }

  private SlackNotifier notifier(String channel) {
    return fixture.bot(slack.apiUrl(), channel, dir, Duration.ofSeconds(5));
  }

  private Notification next(Alert... alerts) {
    return notification(String.format("0001772366400000-%09d", nextId++), List.of(alerts));
  }

  /** The thread_ts of each chat.postMessage, "" for a top-level message. */
  private List<String> threadsPosted() {
    return slack.requests().stream().map(r -> r.param("thread_ts") == null ? "" : r.param("thread_ts")).toList();
  }

  /** Each request's top-level text. */
  private List<String> textsPosted() {
    return slack.requests().stream().map(r -> r.param("text")).toList();
  }

  @Test
  void send_firingAlert_postsChatPostMessageWithTheBotToken() {
    Delivery delivery = notifier().send(next(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.sent("posted ts=" + ts(1)));
    List<FakeSlack.Request> requests = slack.requests();
    // Only the post: no auth.test or other calls of the SDK's own.
    assertThat(requests).extracting(FakeSlack.Request::path).containsExactly("/api/chat.postMessage");
    assertThat(requests.get(0).authorization()).isEqualTo("Bearer " + TOKEN);
    assertThat(requests.get(0).body()).doesNotContain(TOKEN);
    assertThat(form(requests.get(0))).isEqualTo(json("""
        {
          "channel": "#alerts",
          "text": "%1$s",
          "link_names": "0",
          "mrkdwn": "1",
          "unfurl_links": "0",
          "unfurl_media": "0",
          "reply_broadcast": "0",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*%1$s*", "verbatim": true}}
          ],
          "attachments": [{
            "color": "#E01E5A",
            "fallback": "%1$s",
            "blocks": [
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Firing* {node=\\"n1\\"}\\n%2$s"}},
              {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/monitors/redis-shard-is-down|Open the monitor in Tocsin>"}]}
            ]
          }]
        }
        """.formatted(FIRING_N1, SINCE)));
  }

  @Test
  void send_resolvedAlert_isRepliedInTheThreadOfItsFiringMessage() {
    SlackNotifier notifier = notifier();
    notifier.send(next(firing("n1")));

    Delivery delivery = notifier.send(next(resolved("n1")));

    assertThat(delivery).isEqualTo(Delivery.sent("replied in thread " + ts(1) + " with ts=" + ts(2)));
    // The SDK (1.51.0) puts thread_ts into the form twice, with the same value.
    assertThat(form(slack.requests().get(1))).isEqualTo(json("""
        {
          "channel": "#alerts",
          "thread_ts": ["%1$s", "%1$s"],
          "text": "[RESOLVED] Redis shard is down {node=\\"n1\\"}",
          "link_names": "0",
          "mrkdwn": "1",
          "unfurl_links": "0",
          "unfurl_media": "0",
          "reply_broadcast": "0",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*[RESOLVED] Redis shard is down {node=\\"n1\\"}*", "verbatim": true}}
          ],
          "attachments": [{
            "color": "#2EB67D",
            "fallback": "[RESOLVED] Redis shard is down {node=\\"n1\\"}",
            "blocks": [
              {"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
                "text": "*Resolved* {node=\\"n1\\"}\\n%2$s"}},
              {"type": "context", "elements": [
                {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/monitors/redis-shard-is-down|Open the monitor in Tocsin>"}]}
            ]
          }]
        }
        """.formatted(ts(1), FIRED_FOR)));
  }

  @Test
  void send_resolvedAfterARestart_isStillRepliedInItsThread() {
    notifier().send(next(firing("n1"), firing("n2")));

    SlackNotifier restarted = notifier();
    Delivery delivery = restarted.send(next(resolved("n2")));

    assertThat(delivery).isEqualTo(Delivery.sent("replied in thread " + ts(1) + " with ts=" + ts(2)));
    assertThat(threadsPosted()).containsExactly("", ts(1));
  }

  @Test
  void threadsFile_holdsEachFiringAlertsMessage() throws Exception {
    notifier().send(next(firing("n1"), firing("n2")));

    assertThat(json(Files.readString(dir.resolve("threads.json")))).isEqualTo(json("""
        {"threads": {
          "redis-shard-is-down-n1": {"channel": "#alerts", "ts": "%1$s", "at": %2$d},
          "redis-shard-is-down-n2": {"channel": "#alerts", "ts": "%1$s", "at": %2$d}
        }}
        """.formatted(ts(1), T0)));
  }

  @Test
  void send_resolutionsFromDifferentMessagesWithNewFiring_postOneMessageAndOneReplyPerThread() {
    SlackNotifier notifier = notifier();
    notifier.send(next(firing("n1"), firing("n2")));
    notifier.send(next(firing("n3")));

    Delivery delivery = notifier.send(next(resolved("n1"), firing("n4"), resolved("n3"), resolved("n2")));

    assertThat(delivery).isEqualTo(Delivery.sent("posted ts=" + ts(3) + "; replied in thread " + ts(1) + " with ts="
        + ts(4) + "; replied in thread " + ts(2) + " with ts=" + ts(5)));
    assertThat(threadsPosted()).containsExactly("", "", "", ts(1), ts(2));
    assertThat(textsPosted().subList(2, 5)).containsExactly(
        "[FIRING] Redis shard is down {node=\"n4\"}",
        "[RESOLVED:2] Redis shard is down",
        "[RESOLVED] Redis shard is down {node=\"n3\"}");
    assertThat(form(slack.requests().get(3)).get("attachments")).isEqualTo(json("""
        [{
          "color": "#2EB67D",
          "fallback": "[RESOLVED:2] Redis shard is down",
          "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "verbatim": true, "text": "*Resolved* {node=\\"n1\\"}\\n%1$s"}},
            {"type": "section", "text": {"type": "mrkdwn", "verbatim": true, "text": "*Resolved* {node=\\"n2\\"}\\n%1$s"}},
            {"type": "context", "elements": [
              {"type": "mrkdwn", "verbatim": true, "text": "<http://tocsin.example/monitors/redis-shard-is-down|Open the monitor in Tocsin>"}]}
          ]
        }]
        """.formatted(FIRED_FOR)));
  }

  @Test
  void send_resolvedWithoutAKnownFiringMessage_isPostedTopLevel() {
    Delivery delivery = notifier().send(next(resolved("n1")));

    assertThat(delivery).isEqualTo(Delivery.sent("posted ts=" + ts(1)));
    assertThat(threadsPosted()).containsExactly("");
  }

  @Test
  void send_resolvedTwice_repliesOnlyOnceThenPostsTopLevel() {
    SlackNotifier notifier = notifier();
    notifier.send(next(firing("n1")));
    notifier.send(next(resolved("n1")));

    notifier.send(next(resolved("n1")));

    assertThat(threadsPosted()).containsExactly("", ts(1), "");
  }

  @Test
  void send_repeat_isANewMessageButTheResolutionGoesToTheFirstThread() {
    SlackNotifier notifier = notifier();
    notifier.send(next(firing("n1")));
    clock.advance(Duration.ofDays(6));
    notifier.send(next(repeat("n1")));
    clock.advance(Duration.ofDays(6));

    notifier.send(next(resolved("n1")));

    // The repeat renewed the thread's age, so 12 days after firing it is still remembered.
    assertThat(threadsPosted()).containsExactly("", "", ts(1));
    assertThat(textsPosted().get(1)).isEqualTo("[FIRING] Redis shard is down {node=\"n1\"}");
  }

  @Test
  void send_repeatWithoutAKnownFiringMessage_startsTheThread() {
    SlackNotifier notifier = notifier();
    notifier.send(next(repeat("n1")));

    notifier.send(next(resolved("n1")));

    assertThat(threadsPosted()).containsExactly("", ts(1));
  }

  @Test
  void threads_olderThanSevenDays_areForgotten() throws Exception {
    SlackNotifier notifier = notifier();
    notifier.send(next(firing("n1")));
    clock.advance(Duration.ofDays(7).plusSeconds(1));
    notifier.send(next(firing("n2")));

    notifier.send(next(resolved("n1")));

    assertThat(threadsPosted()).containsExactly("", "", "");
    assertThat(json(Files.readString(dir.resolve("threads.json")))).isEqualTo(json("""
        {"threads": {"redis-shard-is-down-n2": {"channel": "#alerts", "ts": "%s", "at": %d}}}
        """.formatted(ts(2), T0 + Duration.ofDays(7).plusSeconds(1).toMillis())));
  }

  @Test
  void send_afterTheChannelChanged_doesNotReplyInAThreadOfTheOldChannel() {
    notifier("#alerts").send(next(firing("n1")));

    notifier("#oncall").send(next(resolved("n1")));

    assertThat(threadsPosted()).containsExactly("", "");
    assertThat(slack.requests().get(1).param("channel")).isEqualTo("#oncall");
  }

  @Test
  void send_replyFailsAfterTheNewMessageWasPosted_retryPostsOnlyWhatIsMissing() {
    SlackNotifier notifier = notifier();
    notifier.send(next(firing("n1")));
    Notification mixed = next(firing("n2"), resolved("n1"));
    slack.enqueue(FakeSlack.Answer.of(200, "{\"ok\":true,\"channel\":\"C0ALERTS\",\"ts\":\"" + ts(50) + "\"}"));
    slack.enqueue(FakeSlack.Answer.of(503, "{\"ok\":false,\"error\":\"service_unavailable\"}"));

    Delivery failed = notifier.send(mixed);
    Delivery retried = notifier.send(mixed);

    assertThat(failed).isEqualTo(Delivery.retry("reply in thread " + ts(1) + ": HTTP 503: service_unavailable", null));
    assertThat(retried).isEqualTo(Delivery.sent("posted ts=" + ts(50) + "; replied in thread " + ts(1) + " with ts="
        + ts(2)));
    assertThat(threadsPosted()).containsExactly("", "", ts(1), ts(1));
  }

  @Test
  void send_testMessage_isNeitherThreadedNorRemembered() {
    SlackNotifier notifier = notifier();

    Delivery delivery = notifier.send(testNotification());

    assertThat(delivery).isEqualTo(Delivery.sent("posted ts=" + ts(1)));
    assertThat(textsPosted()).containsExactly("[TEST] Tocsin test notification");
    assertThat(dir.resolve("threads.json")).doesNotExist();
  }

  @Test
  void send_unreadableThreadsFile_startsWithoutThreads() throws Exception {
    Files.writeString(dir.resolve("threads.json"), "{not json");

    Delivery delivery = notifier().send(next(resolved("n1")));

    assertThat(delivery).isEqualTo(Delivery.sent("posted ts=" + ts(1)));
    assertThat(threadsPosted()).containsExactly("");
  }

  @Test
  void send_429WithRetryAfter_isRetriedAfterThatDelay() {
    slack.enqueue(FakeSlack.Answer.of(429, "{\"ok\":false,\"error\":\"ratelimited\"}").withHeader("Retry-After", "7"));

    Delivery delivery = notifier().send(next(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 429: ratelimited", Duration.ofSeconds(7)));
  }

  @Test
  void send_500_isRetried() {
    slack.enqueue(FakeSlack.Answer.of(500, "<html>Internal Server Error</html>"));

    Delivery delivery = notifier().send(next(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 500: <html>Internal Server Error</html>", null));
  }

  @Test
  void send_unreadableAnswer_isLeftToTheWorkerToRetry() {
    // A proxy's page instead of Slack's JSON: the SDK cannot read it. ChannelWorker retries
    // whatever a notifier throws, so the notifier must not turn it into a permanent failure.
    slack.enqueue(FakeSlack.Answer.of(200, "<html>proxy login</html>"));

    assertThatThrownBy(() -> notifier().send(next(firing("n1")))).isInstanceOf(RuntimeException.class);
  }

  @Test
  void send_400_failsWithoutRetry() {
    slack.enqueue(FakeSlack.Answer.of(400, "{\"ok\":false,\"error\":\"invalid_form_data\"}"));

    Delivery delivery = notifier().send(next(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 400: invalid_form_data"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "channel_not_found | FAILED | Slack error: channel_not_found",
      "invalid_auth      | FAILED | Slack error: invalid_auth",
      "not_in_channel    | FAILED | Slack error: not_in_channel",
      "internal_error    | RETRY  | Slack error: internal_error",
      "fatal_error       | RETRY  | Slack error: fatal_error"})
  void send_okFalse_failsOrRetriesWithSlacksErrorCode(String error, Delivery.Outcome outcome, String detail) {
    slack.enqueue(FakeSlack.Answer.of(200, "{\"ok\":false,\"error\":\"" + error + "\"}"));

    Delivery delivery = notifier().send(next(firing("n1")));

    assertThat(delivery).isEqualTo(new Delivery(outcome, detail, null));
  }

  @Test
  void send_missingScope_saysWhichScopeIsNeeded() {
    slack.enqueue(FakeSlack.Answer.of(200,
        "{\"ok\":false,\"error\":\"missing_scope\",\"needed\":\"chat:write\",\"provided\":\"users:read\"}"));

    Delivery delivery = notifier().send(next(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.failed("Slack error: missing_scope (needs scope chat:write)"));
  }

  @Test
  void send_invalidBlocks_showsSlacksExplanation() {
    slack.enqueue(FakeSlack.Answer.of(200, "{\"ok\":false,\"error\":\"invalid_blocks\",\"response_metadata\":"
        + "{\"messages\":[\"[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]\"]}}"));

    Delivery delivery = notifier().send(next(firing("n1")));

    assertThat(delivery).isEqualTo(Delivery.failed(
        "Slack error: invalid_blocks: [ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"));
  }

  @Test
  void send_failedForGood_isNotRememberedAsPartlySent() {
    SlackNotifier notifier = notifier();
    Notification n = next(firing("n1"));
    slack.enqueue(FakeSlack.Answer.of(200, "{\"ok\":false,\"error\":\"channel_not_found\"}"));
    notifier.send(n);

    Delivery again = notifier.send(n);

    assertThat(again).isEqualTo(Delivery.sent("posted ts=" + ts(1)));
    assertThat(slack.requests()).hasSize(2);
  }

  @Test
  void send_errorEchoingTheToken_neverShowsIt() {
    slack.enqueue(FakeSlack.Answer.of(200, "{\"ok\":false,\"error\":\"invalid_auth: " + TOKEN + "\"}"));
    slack.enqueue(FakeSlack.Answer.of(401, "{\"ok\":false,\"error\":\"bad token " + TOKEN + "\"}"));
    SlackNotifier notifier = notifier();

    Delivery okFalse = notifier.send(next(firing("n1")));
    Delivery http = notifier.send(next(firing("n1")));

    assertThat(okFalse).isEqualTo(Delivery.failed("Slack error: invalid_auth: <redacted>"));
    assertThat(http).isEqualTo(Delivery.failed("HTTP 401: bad token <redacted>"));
  }

  @Test
  void send_nothingListening_isRetriedAsANetworkError() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    SlackNotifier notifier = fixture.bot("http://127.0.0.1:" + port + "/api/", "C1", dir, Duration.ofSeconds(5));

    Delivery delivery = notifier.send(next(firing("n1")));

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.RETRY);
    assertThat(delivery.detail()).isEqualTo("connection refused by 127.0.0.1:" + port);
    assertThat(dir.resolve("threads.json")).doesNotExist();
  }

  @Test
  void send_slowerThanTheRequestTimeout_isRetried() {
    CountDownLatch release = new CountDownLatch(1);
    slack.enqueue(new FakeSlack.Answer(200, Map.of(), "{\"ok\":true,\"ts\":\"1.2\"}", release));
    SlackNotifier notifier = fixture.bot(slack.apiUrl(), "C1", dir, Duration.ofMillis(300));
    try {
      Delivery delivery = notifier.send(next(firing("n1")));

      assertThat(delivery).isEqualTo(Delivery.retry("no answer from " + NetworkFailures.hostAndPort(URI.create(slack.apiUrl()))
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
