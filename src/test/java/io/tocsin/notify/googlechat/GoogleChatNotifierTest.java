package io.tocsin.notify.googlechat;

import static io.tocsin.testing.ChannelTestData.HOSTILE;
import static io.tocsin.testing.ChannelTestData.firing;
import static io.tocsin.testing.ChannelTestData.notification;
import static io.tocsin.testing.ChannelTestData.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.AlertKeys;
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

class GoogleChatNotifierTest {
  static final String SPACE_PATH = "/v1/spaces/AAAA1234/messages";
  static final String QUERY = "key=ChatKeySecret42&token=ChatTokenSecret42";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CREATED = """
      {"name": "spaces/AAAA1234/messages/m1", "thread": {"name": "spaces/AAAA1234/threads/t1"}}""";

  @TempDir
  Path stateDir;
  private final RecordingReceiver chat = RecordingReceiver.start(SPACE_PATH);

  @AfterEach
  void stop() {
    chat.close();
  }

  private GoogleChatNotifier notifier() {
    return ChannelYaml.notifier("- {name: gc, type: googlechat, webhook_url: \"" + chat.url(SPACE_PATH + "?" + QUERY)
        + "\"}", GoogleChatNotifier::parse, GoogleChatNotifier::new, stateDir);
  }

  @Test
  void send_firingAlert_postsTheExactCardInTheMonitorsThread() throws Exception {
    chat.answer(200, CREATED, Map.of());

    Delivery delivery = notifier().send(notification("gc", List.of(firing(Map.of("node", "n1"),
        Map.of("summary", "Shard n1 is down", "runbook_url", "https://runbooks.example/redis?a=1&b=2")))));

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200: message m1 in thread t1"));
    assertThat(chat.requests().get(0).query()).isEqualTo(QUERY + "&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
    assertThat(chat.json(0)).isEqualTo(JSON.readTree("""
        {
          "cardsV2": [{
            "cardId": "tocsin",
            "card": {
              "header": {"title": "[FIRING] Redis shard is down {node=\\"n1\\"}", "subtitle": "Tocsin"},
              "sections": [{"widgets": [
                {"textParagraph": {"text": "<b><font color=\\"#E01E5A\\">FIRING</font></b> {node=\\"n1\\"}<br>value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC<br>Shard n1 is down<br><a href=\\"https://runbooks.example/redis?a=1&amp;b=2\\">Runbook</a>"}},
                {"buttonList": {"buttons": [{"text": "Open in Tocsin", "onClick": {"openLink": {"url": "http://tocsin.example/monitors/redis-shard-is-down"}}}]}}
              ]}]
            }
          }],
          "thread": {"threadKey": "%s"}
        }""".formatted(AlertKeys.of("redis-shard-is-down", Map.of()))));
  }

  @Test
  void send_resolution_landsInTheThreadOfItsFiringMessage_evenAfterARestart() throws Exception {
    notifier().send(notification("gc", List.of(firing("n1"), firing("n2"))));
    GoogleChatNotifier restarted = notifier();

    restarted.send(notification("gc", List.of(resolved("n2"))));

    assertThat(chat.json(1).get("thread")).isEqualTo(chat.json(0).get("thread"));
    assertThat(chat.json(1).at("/cardsV2/0/card/sections/0/widgets/0/textParagraph/text").asText()).isEqualTo(
        "<b><font color=\"#2EB67D\">RESOLVED</font></b> {node=\"n2\"}<br>resolved at 2026-03-01 12:10:00 UTC after"
            + " firing for 10m (value 1)");
    assertThat(chat.requests().get(1).query()).endsWith("&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
  }

  @Test
  void send_hostileLabel_isHtmlEscapedAndHasNoTextToMentionWith() throws Exception {
    notifier().send(notification("gc", List.of(firing(Map.of("node", HOSTILE + " <users/all>"), Map.of()))));

    assertThat(chat.json(0).at("/cardsV2/0/card/sections/0/widgets/0/textParagraph/text").asText()).startsWith(
        "<b><font color=\"#E01E5A\">FIRING</font></b> {node=\"&lt;b&gt;x&lt;/b&gt; *y* _z_ @here @everyone "
            + "[a](http://x) \\\"q\\\" `c`\n# h &lt;users/all&gt;\"}<br>");
    assertThat(chat.json(0).has("text")).isFalse();
  }

  @Test
  void send_manyHugeAlerts_staysWithin4096CharactersAndCountsWhatIsLeftOut() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      alerts.add(firing(Map.of("node", i + "&".repeat(3000)), Map.of("summary", "<".repeat(3000),
          "description", ">".repeat(3000))));
    }

    notifier().send(notification("gc", alerts));

    String text = chat.json(0).at("/cardsV2/0/card/sections/0/widgets/0/textParagraph/text").asText();
    assertThat(text.length()).isLessThanOrEqualTo(4096);
    int shown = text.split(">FIRING<", -1).length - 1;
    assertThat(shown).isPositive();
    assertThat(text).endsWith("<br><br>… and " + (30 - shown) + " more alerts");
    assertThat(text).doesNotContainPattern("&[a-z]*…"); // no entity cut in half
  }

  @Test
  void send_429_isRetriedAfterRetryAfter() {
    chat.answer(429, "{\"error\": {\"code\": 429, \"message\": \"Resource has been exhausted (e.g. check quota).\","
        + " \"status\": \"RESOURCE_EXHAUSTED\"}}", Map.of("Retry-After", "30"));

    assertThat(notifier().send(notification("gc", List.of(firing("n1"))))).isEqualTo(Delivery.retry(
        "HTTP 429: Resource has been exhausted (e.g. check quota). (RESOURCE_EXHAUSTED)", Duration.ofSeconds(30)));
  }

  @Test
  void send_503_isRetried() {
    chat.answer(503, "{\"error\": {\"code\": 503, \"message\": \"The service is currently unavailable.\","
        + " \"status\": \"UNAVAILABLE\"}}", Map.of());

    assertThat(notifier().send(notification("gc", List.of(firing("n1"))))).isEqualTo(Delivery.retry(
        "HTTP 503: The service is currently unavailable. (UNAVAILABLE)", null));
  }

  @Test
  void send_badRequest_failsWithGooglesMessageWithoutTheKeyOrToken() {
    chat.answer(400, "{\"error\": {\"code\": 400, \"message\": \"Invalid token ChatTokenSecret42 for key "
        + "ChatKeySecret42\", \"status\": \"INVALID_ARGUMENT\"}}", Map.of());

    assertThat(notifier().send(notification("gc", List.of(firing("n1"))))).isEqualTo(Delivery.failed(
        "HTTP 400: Invalid token <redacted> for key <redacted> (INVALID_ARGUMENT)"));
  }
}
