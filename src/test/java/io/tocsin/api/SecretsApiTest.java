package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.Secret;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * No configured secret comes back from any endpoint or goes to the log: a Slack webhook URL, a
 * Telegram bot token, webhook and Alertmanager credentials of every kind (tokens in the URL's
 * path and query, a bearer token, basic auth from settings or from the URL, a header value), the
 * SMTP password and the API token, after alerts fired and every channel was tested, while every
 * service refuses each request quoting it whole, headers included.
 */
class SecretsApiTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final String SLACK_PATH = "/services/T0000/B0000/SlackHookSecret42";
  private static final String BOT_TOKEN = "123456:TelegramBotSecret42";
  private static final String WEBHOOK_BEARER = "WebhookBearerSecret42";
  private static final String HOOK_PATH = "/hook/PathTokenSecret42";
  private static final String QUERY_TOKEN = "QueryTokenSecret42";
  private static final String HEADER_SECRET = "HeaderValueSecret42";
  private static final String AM_PASSWORD = "AmPasswordSecret42";
  private static final String URL_PASSWORD = "UrlPasswordSecret42";
  private static final String SMTP_PASSWORD = "SmtpPasswordSecret42";
  private static final String API_TOKEN = "ApiTokenSecret42";

  @TempDir
  Path dataDir;

  @Test
  void noEndpoint_andNoLogLine_showsASecret() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    MutableClock clock = new MutableClock(T0);
    String telegramPath = "/bot" + BOT_TOKEN + "/sendMessage";
    try (RecordingReceiver receiver = RecordingReceiver.start(SLACK_PATH, telegramPath, HOOK_PATH, "/userinfo",
        "/am/api/v2/alerts")) {
      receiver.echo(401);
      String slackUrl = receiver.url(SLACK_PATH);
      String userInfoUrl = receiver.url("/userinfo").replace("://", "://hookuser:" + URL_PASSWORD + "@");
      Files.createDirectories(dataDir.resolve("rules"));
      Files.writeString(dataDir.resolve("rules/r.yml"), MonitorsApiTest.RULES + """
          channels:
            - {name: oncall-slack, type: slack, webhook_url: "%s"}
            - {name: ops-telegram, type: telegram, bot_token: "%s", chat_id: "-100123", api_url: "%s"}
            - {name: hook, type: webhook, url: "%s", bearer_token: "%s", headers: {X-Api-Key: "%s"}}
            - {name: userinfo-hook, type: webhook, url: "%s"}
            - {name: am, type: alertmanager, url: "%s", username: amuser, password: "%s"}
            - {name: sre-email, type: email, to: [sre@example.com]}
          """.formatted(slackUrl, BOT_TOKEN, receiver.url(""), receiver.url(HOOK_PATH + "?token=" + QUERY_TOKEN),
          WEBHOOK_BEARER, HEADER_SECRET, userInfoUrl, receiver.url("/am"), AM_PASSWORD));
      ServerConfig config = TestServers.loopbackConfig(dataDir)
          .withApi(new ServerConfig.Api(Secret.of(API_TOKEN), false))
          // Nothing listens on port 9: sending mail fails, and the failure must not show the password.
          .withSmtp(new ServerConfig.Smtp("127.0.0.1", 9, "alerts", Secret.of(SMTP_PASSWORD), false, false,
              "alerts@example.com"));
      List<String> secrets = List.of(slackUrl, SLACK_PATH, "SlackHookSecret42", BOT_TOKEN, "TelegramBotSecret42",
          WEBHOOK_BEARER, "PathTokenSecret42", QUERY_TOKEN, HEADER_SECRET, AM_PASSWORD, basic("amuser", AM_PASSWORD),
          URL_PASSWORD, basic("hookuser", URL_PASSWORD), SMTP_PASSWORD, API_TOKEN);

      Map<String, String> responses = new LinkedHashMap<>();
      try (Tocsin tocsin = Tocsin.start(config, clock, false)) {
        ApiClient api = ApiClient.of(tocsin);
        // A firing alert goes to every channel; then each channel is tested by hand.
        for (int m = 0; m < 2; m++) {
          long at = T0.toEpochMilli() + m * 60_000L + 10_000;
          tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n1"), s -> s.append(at, 0));
        }
        for (int m = 1; m <= 2; m++) {
          clock.set(T0.plus(Duration.ofMinutes(m)));
          tocsin.evaluateMonitors();
        }
        for (String channel : List.of("oncall-slack", "ops-telegram", "hook", "userinfo-hook", "am", "sre-email",
            "log")) {
          String path = "/api/v1/channels/" + channel + "/test";
          responses.put("POST " + path, api.withToken(API_TOKEN).post(path, null).body());
        }
        responses.put("POST /-/reload (no token)", api.post("/-/reload", null).body());
        responses.put("POST /-/reload (wrong token)", api.withToken("guess").post("/-/reload", null).body());
        String silence = api.withToken(API_TOKEN).post("/api/v1/silences",
            "{\"matchers\": [\"node=n2\"], \"ends_at\": \"2026-03-01T14:00:00Z\"}").body();
        String silenceId = ApiClient.JSON.readTree(silence).get("id").asText();

        List<String> reads = new ArrayList<>(List.of("/api/v1/monitors", "/api/v1/monitors/shard-is-down",
            "/api/v1/alerts", "/api/v1/alerts/history?limit=1000", "/api/v1/channels", "/api/v1/silences",
            "/api/v1/silences/" + silenceId, "/api/v1/openapi.json", "/", "/monitors/shard-is-down", "/metrics",
            "/-/healthy", "/-/ready"));
        for (String path : reads) {
          HttpResponse<String> response = api.get(path);
          assertThat(response.statusCode()).as(path).isEqualTo(200);
          responses.put("GET " + path, response.body());
        }
        // The deliveries above really happened, so their answers are in the history checked above.
        assertThat(responses.get("GET /api/v1/alerts/history?limit=1000"))
            .contains("\"channel\":\"oncall-slack\"", "\"channel\":\"ops-telegram\"", "\"channel\":\"hook\"",
                "\"channel\":\"userinfo-hook\"", "\"channel\":\"am\"", "\"channel\":\"sre-email\"")
            .contains("HTTP 401: unauthorized request: POST <redacted> authorization: <redacted>")
            .contains("x-api-key: <redacted>");
        assertThat(receiver.requests()).extracting(RecordingReceiver.Request::path)
            .contains(SLACK_PATH, telegramPath, HOOK_PATH, "/userinfo", "/am/api/v2/alerts");
        // What the services were sent, and so echoed, holds every secret.
        assertThat(receiver.requests()).extracting(r -> r.query() + " " + r.headers())
            .anySatisfy(r -> assertThat(r).contains(QUERY_TOKEN, "Bearer " + WEBHOOK_BEARER, HEADER_SECRET))
            .anySatisfy(r -> assertThat(r).contains("Basic " + basic("amuser", AM_PASSWORD)))
            .anySatisfy(r -> assertThat(r).contains("Basic " + basic("hookuser", URL_PASSWORD)));
      } finally {
        root.detachAppender(logs);
      }

      SoftAssertions soft = new SoftAssertions();
      responses.forEach((request, body) -> soft.assertThat(body).as(request).doesNotContain(secrets));
      List<String> lines = logs.list.stream().map(e -> e.getFormattedMessage()
          + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage())).toList();
      assertThat(lines).isNotEmpty();
      soft.assertThat(lines).as("log lines").allSatisfy(line -> assertThat(line).doesNotContain(secrets));
      soft.assertAll();
    }
  }

  private static String basic(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
