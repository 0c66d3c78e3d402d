package io.tocsin.channels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.NotificationDispatcher;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.RuleHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each of PagerDuty, Opsgenie, Teams, Google Chat, Mattermost and Discord, declared in a rule
 * file of an in-process Tocsin and pointed at a local stand-in for the vendor's API: a shard goes
 * down and comes back, the stand-in gets the firing and the resolution paired as the vendor pairs
 * them, {@code POST /api/v1/channels/{name}/test} reaches it, and when the vendor refuses a test
 * quoting the whole request, the channel's secret shows in no API response, history entry or log line.
 */
class ChannelsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PD_KEY = "PagerDutyRoutingKeySecret4242424";
  private static final String OG_KEY = "0b9d3c1e-OpsgenieKeySecret42-77aa";
  private static final String MONITOR = "shard-is-down";
  private static final String KEY = AlertKeys.of(MONITOR, Map.of("node", "n1"));

  /**
   * One channel: its rule-file line (for a stand-in's base URL), the paths the stand-in serves,
   * the vendor's answer to a good request, the secrets, and what the firing, resolution and test
   * must look like (the bodies and paths the stand-in got, in order).
   */
  record Case(String name, Function<String, String> yaml, List<String> paths, int status, String answer,
      List<String> secrets, Check check) {
    @Override
    public String toString() {
      return name;
    }
  }

  interface Check {
    void bodies(List<RecordingReceiver.Request> requests, List<JsonNode> bodies);
  }

  static Stream<Case> channels() {
    return Stream.of(
        new Case("pagerduty", base -> "{name: pagerduty, type: pagerduty, routing_key: " + PD_KEY + ", api_url: \""
            + base + "\"}", List.of("/v2/enqueue"), 202,
            "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + KEY + "\"}", List.of(PD_KEY),
            (requests, bodies) -> {
              assertThat(bodies).extracting(b -> b.get("event_action").asText() + " " + b.get("dedup_key").asText())
                  .containsExactly("trigger " + KEY, "resolve " + KEY, "trigger " + AlertKeys.of("test",
                      Map.of("channel", "pagerduty")), "resolve " + AlertKeys.of("test", Map.of("channel", "pagerduty")));
              assertThat(bodies.get(0).get("payload").get("severity").asText()).isEqualTo("warning");
              assertThat(bodies.get(0).get("payload").get("summary").asText())
                  .isEqualTo("[FIRING] Shard is down {node=\"n1\"}");
              assertThat(bodies.get(1).toString()).isEqualTo("{\"routing_key\":\"" + PD_KEY
                  + "\",\"event_action\":\"resolve\",\"dedup_key\":\"" + KEY + "\"}");
            }),
        new Case("opsgenie", base -> "{name: opsgenie, type: opsgenie, api_key: \"" + OG_KEY + "\", api_url: \"" + base
            + "\"}", List.of("/v2/alerts", "/v2/alerts/{alias}/close"), 202,
            "{\"result\":\"Request will be processed\",\"took\":0.1,\"requestId\":\"r1\"}", List.of(OG_KEY),
            (requests, bodies) -> {
              assertThat(requests).extracting(RecordingReceiver.Request::path).containsExactly("/v2/alerts",
                  "/v2/alerts/" + KEY + "/close", "/v2/alerts", "/v2/alerts/" + AlertKeys.of("test",
                      Map.of("channel", "opsgenie")) + "/close");
              assertThat(requests.get(0).headers()).containsEntry("authorization", "GenieKey " + OG_KEY);
              assertThat(bodies.get(0).get("alias").asText()).isEqualTo(KEY);
              assertThat(bodies.get(0).get("priority").asText()).isEqualTo("P3");
              assertThat(bodies.get(0).get("message").asText()).isEqualTo("[FIRING] Shard is down {node=\"n1\"}");
            }),
        new Case("teams", base -> "{name: teams, type: teams, webhook_url: \"" + base
            + "/workflows/4f2a/triggers/manual/paths/invoke?sv=1.0&sig=TeamsSigSecret42\"}",
            List.of("/workflows/4f2a/triggers/manual/paths/invoke"), 202, "", List.of("TeamsSigSecret42"),
            (requests, bodies) -> assertThat(bodies).extracting(b -> b.at("/attachments/0/content/body/0/inlines/0")
                .toString()).containsExactly(
                    "{\"type\":\"TextRun\",\"text\":\"[FIRING] Shard is down {node=\\\"n1\\\"}\",\"weight\":\"Bolder\","
                        + "\"size\":\"Medium\",\"color\":\"Attention\"}",
                    "{\"type\":\"TextRun\",\"text\":\"[RESOLVED] Shard is down {node=\\\"n1\\\"}\",\"weight\":\"Bolder\","
                        + "\"size\":\"Medium\",\"color\":\"Good\"}",
                    "{\"type\":\"TextRun\",\"text\":\"[TEST] Tocsin test notification\",\"weight\":\"Bolder\","
                        + "\"size\":\"Medium\",\"color\":\"Default\"}")),
        new Case("googlechat", base -> "{name: googlechat, type: googlechat, webhook_url: \"" + base
            + "/v1/spaces/AAAA/messages?key=ChatKeySecret42&token=ChatTokenSecret42\"}",
            List.of("/v1/spaces/AAAA/messages"), 200, "{\"name\":\"spaces/AAAA/messages/m1\",\"thread\":{\"name\":"
            + "\"spaces/AAAA/threads/t1\"}}", List.of("ChatKeySecret42", "ChatTokenSecret42"),
            (requests, bodies) -> {
              assertThat(bodies).extracting(b -> b.at("/cardsV2/0/card/header/title").asText() + " in "
                  + b.at("/thread/threadKey").asText()).containsExactly(
                      "[FIRING] Shard is down {node=\"n1\"} in " + AlertKeys.of(MONITOR, Map.of()),
                      "[RESOLVED] Shard is down {node=\"n1\"} in " + AlertKeys.of(MONITOR, Map.of()),
                      "[TEST] Tocsin test notification in " + AlertKeys.of("test", Map.of()));
              assertThat(requests.get(0).query()).isEqualTo("key=ChatKeySecret42&token=ChatTokenSecret42"
                  + "&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
            }),
        new Case("mattermost", base -> "{name: mattermost, type: mattermost, webhook_url: \"" + base
            + "/hooks/MattermostKeySecret42\"}", List.of("/hooks/MattermostKeySecret42"), 200, "ok",
            List.of("MattermostKeySecret42"),
            (requests, bodies) -> assertThat(bodies).extracting(b -> b.get("text").asText() + " "
                + b.at("/attachments/0/color").asText()).containsExactly(
                    "\\[FIRING\\] Shard is down {node=\"n1\"} #E01E5A",
                    "\\[RESOLVED\\] Shard is down {node=\"n1\"} #2EB67D",
                    "\\[TEST\\] Tocsin test notification #9E9EA6")),
        new Case("discord", base -> "{name: discord, type: discord, webhook_url: \"" + base
            + "/api/webhooks/4242/DiscordTokenSecret42\"}", List.of("/api/webhooks/4242/DiscordTokenSecret42"), 204, "",
            List.of("DiscordTokenSecret42"),
            (requests, bodies) -> {
              assertThat(bodies).extracting(b -> b.get("content").asText() + " " + b.at("/embeds/0/color").asInt())
                  .containsExactly("\\[FIRING\\] Shard is down {node=\"n1\"} 14687834",
                      "\\[RESOLVED\\] Shard is down {node=\"n1\"} 3061373",
                      "\\[TEST\\] Tocsin test notification 10395302");
              assertThat(bodies).allSatisfy(b -> assertThat(b.get("allowed_mentions").toString())
                  .isEqualTo("{\"parse\":[]}"));
            }));
  }

  @TempDir
  Path dataDir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("channels")
  void shardDownAndBack_reachesTheVendorPaired_testSendWorks_andTheSecretNeverShows(Case channel) throws Exception {
    RuleHarness harness = new RuleHarness();
    List<String> apiAnswers = new ArrayList<>();
    try (RecordingReceiver vendor = RecordingReceiver.start(channel.paths().toArray(String[]::new));
        LogCapture logs = LogCapture.of(NotificationDispatcher.class)) {
      vendor.answer(channel.status(), channel.answer(), Map.of());
      String rules = RuleHarness.shardDown("1m") + """
              labels: {severity: warning}
          channels:
            - %s
          """.formatted(channel.yaml().apply(vendor.url("")));
      try (Tocsin tocsin = harness.start(dataDir, rules)) {
        RuleHarness.value(tocsin, "n1", 0, 0);
        harness.evaluateAt(tocsin, 1);
        RuleHarness.value(tocsin, "n1", 1, 1);
        harness.evaluateAt(tocsin, 2);

        HttpResponse<String> test = post(tocsin, "/api/v1/channels/" + channel.name() + "/test");
        assertThat(test.statusCode()).as(test.body()).isEqualTo(200);
        assertThat(JSON.readTree(test.body()).get("outcome").asText()).isEqualTo("sent");

        List<JsonNode> bodies = new ArrayList<>();
        for (RecordingReceiver.Request r : vendor.requests()) {
          bodies.add(JSON.readTree(r.body()));
        }
        channel.check().bodies(vendor.requests(), bodies);

        vendor.echo(401); // refuses, quoting the request whole: URL, headers, body
        HttpResponse<String> refused = post(tocsin, "/api/v1/channels/" + channel.name() + "/test");
        assertThat(refused.statusCode()).isEqualTo(502);
        RuleHarness.value(tocsin, "n1", 2, 0); // fires again: a refused notification is logged
        harness.evaluateAt(tocsin, 3);
        // What the vendor was sent, and so quoted back, holds the secret.
        assertThat(vendor.requests()).last().extracting(r -> r.path() + "?" + r.query() + " " + r.headers() + " "
            + r.body()).asString().contains(channel.secrets().get(0));
        apiAnswers.add(refused.body());
        apiAnswers.add(get(tocsin, "/api/v1/channels"));
        String history = get(tocsin, "/api/v1/alerts/history?limit=1000");
        apiAnswers.add(history);
        assertThat(JSON.readTree(history).get("history")).extracting(e -> e.get("type").asText())
            .containsSubsequence("failed", "test_failed", "test_sent", "sent", "sent");
        assertThat(history).contains("<redacted>");
      }
      assertThat(apiAnswers).allSatisfy(answer -> assertThat(answer).doesNotContain(channel.secrets()));
      assertThat(logs.messages()).anySatisfy(line -> assertThat(line).startsWith("ERROR channel \"" + channel.name()
          + "\" refused notification").contains("<redacted>"))
          .allSatisfy(line -> assertThat(line).doesNotContain(channel.secrets()));
    }
  }

  private static HttpResponse<String> post(Tocsin tocsin, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort()
        + path)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String get(Tocsin tocsin, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + tocsin.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }
}
