package io.tocsin.notify.telegram;

import static io.tocsin.notify.telegram.Fixtures.TOKEN;
import static io.tocsin.notify.telegram.Fixtures.firing;
import static io.tocsin.notify.telegram.Fixtures.notification;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.NetworkFailures;
import io.tocsin.notify.Notification;
import io.tocsin.notify.NotifierContext;
import io.tocsin.yaml.Secret;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TelegramNotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Notification ONE_FIRING = notification(List.of(firing(Map.of("node", "n1"), Map.of())));
  private static final String ONE_FIRING_TEXT = """
      <b>[FIRING] Redis shard is down {node="n1"}</b>

      <b>FIRING</b> <code>{node="n1"}</code>
      value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC

      <a href="http://tocsin.example/monitors/redis-shard-is-down">Open in Tocsin</a>""";

  private final FakeBotApi api = new FakeBotApi(TOKEN);
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path stateDir;

  @AfterEach
  void stop() {
    api.close();
  }

  private TelegramNotifier notifier(String chatId, int thread, String apiUrl, Duration timeout) {
    NotifierContext context = new NotifierContext(Clock.systemUTC(), stateDir, null, "http://tocsin.example", http,
        timeout);
    return new TelegramNotifier(new TelegramNotifier.Config(Secret.of(TOKEN), chatId, thread, URI.create(apiUrl)),
        context);
  }

  private TelegramNotifier notifier(String chatId) {
    return notifier(chatId, 0, api.url(), Duration.ofSeconds(10));
  }

  private Delivery answeredWith(int status, String json, Map<String, String> headers) {
    api.answer(status, json, headers);
    Delivery delivery = notifier("-100123").send(ONE_FIRING);
    assertThat(delivery.detail()).doesNotContain(TOKEN);
    return delivery;
  }

  @Test
  void send_groupChat_postsExactSendMessagePayload() throws Exception {
    Delivery delivery = notifier("-100123").send(ONE_FIRING);

    assertThat(delivery).isEqualTo(Delivery.sent("HTTP 200: message_id 42"));
    FakeBotApi.Request request = api.requests().get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/bot" + TOKEN + "/sendMessage");
    assertThat(request.contentType()).isEqualTo("application/json");
    assertThat(JSON.readTree(request.body())).isEqualTo(JSON.readTree("""
        {"chat_id": -100123, "text": %s, "parse_mode": "HTML", "disable_web_page_preview": true}
        """.formatted(JSON.writeValueAsString(ONE_FIRING_TEXT))));
  }

  @Test
  void send_channelUsernameAndTopic_sendsThemAsTelegramTakesThem() throws Exception {
    notifier("@my_channel", 7, api.url() + "/", Duration.ofSeconds(10)).send(ONE_FIRING);

    FakeBotApi.Request request = api.requests().get(0);
    assertThat(request.path()).isEqualTo("/bot" + TOKEN + "/sendMessage");
    assertThat(JSON.readTree(request.body())).isEqualTo(JSON.readTree("""
        {"chat_id": "@my_channel", "message_thread_id": 7, "text": %s, "parse_mode": "HTML",
         "disable_web_page_preview": true}
        """.formatted(JSON.writeValueAsString(ONE_FIRING_TEXT))));
  }

  @Test
  void send_500AlertsWithLongLabels_sendsATextWithinTelegramsLimit() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      alerts.add(firing(Map.of("node", i + "<&>".repeat(200)), Map.of()));
    }

    notifier("-100123").send(notification(alerts));

    JsonNode body = JSON.readTree(api.requests().get(0).body());
    assertThat(Fixtures.telegramText(body.get("text").asText()).length()).isLessThanOrEqualTo(4096);
  }

  @Test
  void send_429WithRetryAfter_isRetriedAfterThatDelay() {
    Delivery delivery = answeredWith(429, """
        {"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}""",
        Map.of());

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 429: Too Many Requests: retry after 5", Duration.ofSeconds(5)));
  }

  @Test
  void send_429WithRetryAfterHeaderOnly_isRetriedAfterTheHeadersDelay() {
    Delivery delivery = answeredWith(429, """
        {"ok":false,"error_code":429,"description":"Too Many Requests"}""", Map.of("Retry-After", "7"));

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 429: Too Many Requests", Duration.ofSeconds(7)));
  }

  @Test
  void send_429WithBoth_prefersTelegramsRetryAfter() {
    Delivery delivery = answeredWith(429, """
        {"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}""",
        Map.of("Retry-After", "60"));

    assertThat(delivery.retryAfter()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void send_500_isRetriedWithTheNormalBackoff() {
    Delivery delivery = answeredWith(500, """
        {"ok":false,"error_code":500,"description":"Internal Server Error"}""", Map.of());

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 500: Internal Server Error", null));
  }

  @Test
  void send_502FromAProxy_isRetriedWithItsBody() {
    Delivery delivery = answeredWith(502, "<html><body>Bad Gateway</body></html>", Map.of());

    assertThat(delivery).isEqualTo(Delivery.retry("HTTP 502: <html><body>Bad Gateway</body></html>", null));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      400 | Bad Request: chat not found
      400 | Bad Request: can't parse entities: Unsupported start tag "span" at byte offset 0
      401 | Unauthorized
      403 | Forbidden: bot was blocked by the user
      404 | Not Found
      """)
  void send_clientError_failsWithTelegramsDescription(int status, String description) throws Exception {
    Delivery delivery = answeredWith(status, JSON.writeValueAsString(Map.of("ok", false, "error_code", status,
        "description", description)), Map.of());

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP " + status + ": " + description));
  }

  @Test
  void send_groupUpgradedToSupergroup_failsNamingTheNewChatId() {
    Delivery delivery = answeredWith(400, """
        {"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat",
         "parameters":{"migrate_to_chat_id":-1001234567890}}""", Map.of());

    assertThat(delivery).isEqualTo(Delivery.failed(
        "HTTP 400: Bad Request: group chat was upgraded to a supergroup chat (set chat_id to -1001234567890)"));
  }

  @Test
  void send_okFalseWith200_fails() {
    Delivery delivery = answeredWith(200, """
        {"ok":false,"description":"something odd"}""", Map.of());

    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 200: not ok: something odd"));
  }

  @Test
  void send_wrongApiPathEchoedByTheServer_neverShowsTheToken() {
    Delivery delivery = notifier("-100123", 0, api.url() + "/proxy", Duration.ofSeconds(10)).send(ONE_FIRING);

    assertThat(api.requests().get(0).path()).isEqualTo("/proxy/bot" + TOKEN + "/sendMessage");
    assertThat(delivery).isEqualTo(Delivery.failed("HTTP 404: Cannot POST /proxy/bot<redacted>/sendMessage"));
  }

  @Test
  void send_nothingListening_isRetriedWithoutTheToken() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    Delivery delivery = notifier("-100123", 0, "http://127.0.0.1:" + closedPort, Duration.ofSeconds(10))
        .send(ONE_FIRING);

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.RETRY);
    assertThat(delivery.detail()).isEqualTo("connection refused by 127.0.0.1:" + closedPort);
    assertThat(delivery.retryAfter()).isNull();
  }

  @Test
  void send_noAnswerWithinRequestTimeout_isRetried() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    api.answerWith(ctx -> {
      release.await(10, TimeUnit.SECONDS); // holds the answer back until the client gave up
      ctx.result(FakeBotApi.OK);
    });
    try {
      Delivery delivery = notifier("-100123", 0, api.url(), Duration.ofMillis(200)).send(ONE_FIRING);

      assertThat(delivery).isEqualTo(Delivery.retry("no answer from " + NetworkFailures.hostAndPort(URI.create(api.url()))
          + " within 200 ms", null));
    } finally {
      release.countDown();
    }
  }

  @ParameterizedTest
  @CsvSource(textBlock = """
      12345,          PT1S
      -100123,        PT3S
      -1001234567890, PT3S
      @my_channel,    PT3S
      """)
  void minInterval_chatKind_staysWithinTelegramsLimits(String chatId, Duration interval) {
    assertThat(notifier(chatId).minInterval()).isEqualTo(interval);
  }

  @Test
  void toString_configAndNotifier_neverShowTheToken() {
    TelegramNotifier notifier = notifier("-100123");

    assertThat(notifier.toString()).isEqualTo("TelegramNotifier[chat_id=-100123, api_url=" + api.url() + "]");
    assertThat(new TelegramNotifier.Config(Secret.of(TOKEN), "-100123", 0, URI.create(api.url())).toString())
        .isEqualTo("Config[botToken=<redacted>, chatId=-100123, messageThreadId=0, apiUrl=" + api.url()
            + ", templates=ChannelTemplates[channel=, title=null, text=null]]");
  }

  @Test
  void constructor_tokenThatBreaksTheUrl_isRefusedWithoutShowingIt() {
    NotifierContext context = new NotifierContext(Clock.systemUTC(), stateDir, null, "", http, Duration.ofSeconds(1));
    TelegramNotifier.Config config = new TelegramNotifier.Config(Secret.of("1:secret value"), "1", 0,
        URI.create(api.url()));

    assertThatThrownBy(() -> new TelegramNotifier(config, context))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("api_url and bot_token do not make a valid URL")
        .hasNoCause();
  }
}
