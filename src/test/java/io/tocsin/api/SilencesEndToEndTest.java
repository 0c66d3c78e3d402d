package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A silence through the whole service: a monitor fires for two shards, a silence covers one; the
 * history shows that one silenced and only the other delivered to the log channel, and so again
 * after Tocsin restarts on the same data dir.
 */
class SilencesEndToEndTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RULES = """
      monitors:
        - name: Shard is down
          metrics: [redis_up as $up]
          query: [group by node, $up as up]
          min_allowed_value: 1
          for_duration: 1m
          evaluation_delay: 0s
          repeat_interval: 5m
          labels: {severity: page}
      """;

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @AfterEach
  void stop() {
    if (tocsin != null) {
      tocsin.close();
    }
  }

  private void start() throws Exception {
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock, false);
  }

  /** Both shards are down from minute {@code from} up to, not including, minute {@code to}. */
  private void bothDown(int from, int to) {
    for (int m = from; m < to; m++) {
      long at = T0.toEpochMilli() + m * 60_000L + 10_000;
      for (String node : List.of("n1", "n2")) {
        tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", node), s -> s.append(at, 0));
      }
    }
  }

  private void evaluateAt(int minute) {
    clock.set(T0.plus(Duration.ofMinutes(minute)));
    tocsin.evaluateMonitors();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The history entries at or after {@code minute}, oldest first, as "type labels channel: detail". */
  private List<String> historySince(int minute) throws Exception {
    JsonNode history = JSON.readTree(send("GET", "/api/v1/alerts/history", null).body()).get("history");
    List<String> lines = new ArrayList<>();
    for (JsonNode e : history) {
      if (e.get("at").asLong() >= T0.plus(Duration.ofMinutes(minute)).toEpochMilli()) {
        lines.add(0, e.get("type").asText() + " " + e.get("labels") + (e.has("channel") ? " " + e.get("channel").asText()
            : "") + ": " + e.get("detail").asText());
      }
    }
    return lines;
  }

  @Test
  void silence_suppressesSendingForTheGroupItCovers_andSurvivesARestart() throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/redis.yml"), RULES);
    start();
    HttpResponse<String> created = send("POST", "/api/v1/silences", """
        {"matchers": ["monitor=Shard is down", "node=n1"], "ends_at": "2026-03-02T12:00:00Z",
         "created_by": "ops", "comment": "n1 is being rebuilt"}""");
    assertThat(created.statusCode()).isEqualTo(200);
    String id = JSON.readTree(created.body()).get("id").asText();

    bothDown(0, 2);
    evaluateAt(1);
    evaluateAt(2);

    assertThat(historySince(0)).containsExactly(
        "firing {\"node\":\"n1\"}: ",
        "firing {\"node\":\"n2\"}: ",
        "silenced {\"node\":\"n1\"}: firing silenced by " + id,
        "sent {\"node\":\"n2\"} log: firing, 1 alert, attempt 1: logged 1 alerts");
    // Silences stop sending, not evaluation: n1 is firing all the same.
    JsonNode alerts = JSON.readTree(send("GET", "/api/v1/alerts?state=firing", null).body()).get("alerts");
    assertThat(alerts).extracting(a -> a.get("labels").toString())
        .containsExactly("{\"node\":\"n1\"}", "{\"node\":\"n2\"}");
    assertThat(alerts).extracting(a -> a.path("silenced_by").asText(null)).containsExactly(id, null);

    tocsin.close();
    tocsin = null;
    clock.set(T0.plus(Duration.ofMinutes(3)));
    start();
    JsonNode listed = JSON.readTree(send("GET", "/api/v1/silences", null).body()).get("silences");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("id").asText()).isEqualTo(id);
    assertThat(listed.get(0).get("state").asText()).isEqualTo("active");

    // Still down after the restart: at the repeat interval both repeat, and n1 is still silenced.
    bothDown(3, 7);
    evaluateAt(4);
    evaluateAt(5);
    evaluateAt(6);
    evaluateAt(7);

    // A repeat goes out as a notification whose status is "firing".
    assertThat(historySince(3)).containsExactly(
        "repeat {\"node\":\"n1\"}: ",
        "repeat {\"node\":\"n2\"}: ",
        "silenced {\"node\":\"n1\"}: repeat silenced by " + id,
        "sent {\"node\":\"n2\"} log: firing, 1 alert, attempt 1: logged 1 alerts");
  }

  @Test
  void silenceWithACatastrophicRegex_isAppliedAtSendTime_inLinearTime() throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/redis.yml"), RULES);
    start();
    // ((a+)+)+ against "aaa…a!" backtracked for many seconds, holding up every delivery behind it.
    String hostile = "a".repeat(28) + "!";
    String plain = "a".repeat(28);
    HttpResponse<String> created = send("POST", "/api/v1/silences", """
        {"matchers": ["node=~\\"((a+)+)+\\""], "ends_at": "2026-03-02T12:00:00Z"}""");
    assertThat(created.statusCode()).isEqualTo(200);
    String id = JSON.readTree(created.body()).get("id").asText();
    for (int m = 0; m < 2; m++) {
      long at = T0.toEpochMilli() + m * 60_000L + 10_000;
      for (String node : List.of(hostile, plain)) {
        tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", node), s -> s.append(at, 0));
      }
    }

    long start = System.nanoTime();
    evaluateAt(1);
    evaluateAt(2);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

    assertThat(historySince(0)).containsExactly(
        "firing {\"node\":\"" + plain + "\"}: ",
        "firing {\"node\":\"" + hostile + "\"}: ",
        "silenced {\"node\":\"" + plain + "\"}: firing silenced by " + id,
        "sent {\"node\":\"" + hostile + "\"} log: firing, 1 alert, attempt 1: logged 1 alerts");
  }

  @Test
  void silenceWithALookahead_isRefusedWithWhy() throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/redis.yml"), RULES);
    start();

    HttpResponse<String> refused = send("POST", "/api/v1/silences", """
        {"matchers": ["node=~\\"n(?!1)\\""], "ends_at": "2026-03-02T12:00:00Z"}""");

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("matchers[0]: invalid regular expression"
        + " \"n(?!1)\" for label \"node\": lookahead (?! is not supported (Tocsin uses RE2 syntax: no backreferences,"
        + " lookaround, possessive quantifiers or atomic groups) at character 2");
  }
}
