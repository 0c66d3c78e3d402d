package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.testing.RuleHarness;
import io.tocsin.util.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Monitors, alerts, history, pause/resume and reload over HTTP, on a simulated clock. */
class MonitorsApiTest {
  private static final Instant T0 = RuleHarness.T0;
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String RULES = """
      monitors:
        - name: Shard is down
          metrics: [redis_up as $up]
          query: [group by node, $up as up]
          min_allowed_value: 1
          for_duration: 2m
          evaluation_delay: 0s
          labels: {severity: page}
        - name: Never fires
          metrics: [redis_up as $up]
          query: [$up]
          max_allowed_value: 100
          evaluation_delay: 0s
      """;

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final MutableClock clock = harness.clock();
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    tocsin = harness.start(dataDir, "redis.yml", RULES);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private void value(String node, int minute, double v) {
    RuleHarness.value(tocsin, node, minute, v);
  }

  private void evaluateAt(int minute) {
    harness.evaluateAt(tocsin, minute);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(tocsin, path);
  }

  private HttpResponse<String> get(Tocsin from, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + from.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + path))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body());
  }

  /** n1 is down from minute 0, n2 is up: n1 fires at minute 2. */
  private void fireN1() {
    for (int m = 0; m < 2; m++) {
      value("n1", m, 0);
      value("n2", m, 1);
    }
    evaluateAt(1);
    evaluateAt(2);
  }

  @Test
  void metrics_countFiringAndPendingGroups() throws Exception {
    fireN1();
    value("n2", 2, 0);
    evaluateAt(3);

    assertThat(get("/metrics").body())
        .contains("\ntocsin_alerts{state=\"firing\"} 1.0\n")
        .contains("\ntocsin_alerts{state=\"pending\"} 1.0\n");
  }

  @Test
  void monitors_listStateAndCounts() throws Exception {
    fireN1();
    JsonNode monitors = json(get("/api/v1/monitors")).get("monitors");

    assertThat(monitors).hasSize(2);
    JsonNode down = monitors.get(0);
    assertThat(down.get("id").asText()).isEqualTo("shard-is-down");
    assertThat(down.get("name").asText()).isEqualTo("Shard is down");
    assertThat(down.get("state").asText()).isEqualTo("firing");
    assertThat(down.get("health").asText()).isEqualTo("ok");
    assertThat(down.get("last_error").isNull()).isTrue();
    assertThat(down.get("last_evaluation").asLong()).isEqualTo(T0.plusSeconds(120).toEpochMilli());
    assertThat(down.get("evaluation_ms").isNumber()).isTrue();
    assertThat(down.get("groups_total").asInt()).isEqualTo(2);
    assertThat(down.get("groups_pending").asInt()).isZero();
    assertThat(down.get("groups_firing").asInt()).isEqualTo(1);
    assertThat(monitors.get(1).get("state").asText()).isEqualTo("ok");
  }

  @Test
  void monitors_evaluatedElsewhere_showTheAlertStateTheirEvaluatingPeerReplicated() throws Exception {
    fireN1();
    try (Tocsin peer = harness.start(dataDir.resolve("peer"), "redis.yml", RULES)) {
      peer.engine().placeBy(id -> !id.equals("shard-is-down"));
      tocsin.engine().alertStates().forEach(peer.engine()::adopt);
      peer.evaluateMonitors();

      JsonNode down = json(get(peer, "/api/v1/monitors")).get("monitors").get(0);
      assertThat(down.get("id").asText()).isEqualTo("shard-is-down");
      assertThat(down.get("state").asText()).isEqualTo("firing");
      assertThat(down.get("groups_firing").asInt()).isEqualTo(1);
      assertThat(down.get("evaluated_here").asBoolean()).isFalse();
      assertThat(down.get("last_evaluation").isNull()).isTrue();
      assertThat(json(get(peer, "/api/v1/alerts")).get("alerts")).singleElement().satisfies(a -> {
        assertThat(a.get("labels").toString()).isEqualTo("{\"node\":\"n1\"}");
        assertThat(a.get("fired_at").asLong()).isEqualTo(T0.plusSeconds(120).toEpochMilli());
      });
      assertThat(get(peer, "/metrics").body())
          .contains("\ntocsin_monitor_evaluated_here{monitor=\"shard-is-down\"} 0.0\n")
          .contains("\ntocsin_monitor_evaluated_here{monitor=\"never-fires\"} 1.0\n");
    }
    assertThat(json(get("/api/v1/monitors")).get("monitors").get(0).get("evaluated_here").asBoolean()).isTrue();
  }

  @Test
  void monitor_detailHasTheDefinitionGroupsAndPoints() throws Exception {
    fireN1();
    JsonNode m = json(get("/api/v1/monitors/shard-is-down?range=3m"));

    assertThat(m.get("query").toString()).isEqualTo("[\"group by node\",\"$up as up\"]");
    assertThat(m.get("column").asText()).isEqualTo("up");
    assertThat(m.get("min_allowed_value").asDouble()).isEqualTo(1);
    assertThat(m.get("max_allowed_value").isNull()).isTrue();
    assertThat(m.get("for_duration").asText()).isEqualTo("2m");
    assertThat(m.get("grouping_interval").asText()).isEqualTo("1m");
    assertThat(m.get("labels").toString()).isEqualTo("{\"severity\":\"page\"}");
    JsonNode n1 = m.get("groups").get(0);
    assertThat(n1.get("labels").toString()).isEqualTo("{\"node\":\"n1\"}");
    assertThat(n1.get("state").asText()).isEqualTo("firing");
    assertThat(n1.get("value").asDouble()).isZero();
    assertThat(n1.get("active_at").asLong()).isEqualTo(T0.toEpochMilli());
    assertThat(n1.get("fired_at").asLong()).isEqualTo(T0.plusSeconds(120).toEpochMilli());
    assertThat(n1.get("resolved_at").isNull()).isTrue();
    // The last 3 buckets up to minute 2: minute -1 has no data.
    assertThat(n1.get("points").toString()).isEqualTo(
        "[[" + T0.toEpochMilli() + ",0.0],[" + T0.plusSeconds(60).toEpochMilli() + ",0.0]]");
    assertThat(m.get("groups").get(1).get("state").asText()).isEqualTo("ok");
  }

  @Test
  void unknownMonitor_is404() throws Exception {
    HttpResponse<String> response = get("/api/v1/monitors/nope");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("{\"error\":\"no monitor with id \\\"nope\\\"\"}");
    assertThat(post("/api/v1/monitors/nope/pause").statusCode()).isEqualTo(404);
  }

  @Test
  void alerts_listPendingAndFiringWithAStateFilter() throws Exception {
    fireN1();
    value("n2", 2, 0);
    evaluateAt(3); // n2 starts pending

    JsonNode all = json(get("/api/v1/alerts")).get("alerts");
    assertThat(all).hasSize(2);
    JsonNode firing = json(get("/api/v1/alerts?state=firing")).get("alerts");
    assertThat(firing).hasSize(1);
    JsonNode alert = firing.get(0);
    assertThat(alert.get("id").asText()).startsWith("shard-is-down-");
    assertThat(alert.get("monitor_id").asText()).isEqualTo("shard-is-down");
    assertThat(alert.get("monitor").asText()).isEqualTo("Shard is down");
    assertThat(alert.get("labels").toString()).isEqualTo("{\"node\":\"n1\"}");
    assertThat(alert.get("state").asText()).isEqualTo("firing");
    assertThat(alert.get("threshold").asDouble()).isEqualTo(1);
    assertThat(alert.get("active_at").asLong()).isEqualTo(T0.toEpochMilli());
    assertThat(json(get("/api/v1/alerts?state=pending")).get("alerts").get(0).get("labels").toString())
        .isEqualTo("{\"node\":\"n2\"}");
    HttpResponse<String> bad = get("/api/v1/alerts?state=resolved");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("{\"error\":\"state must be firing or pending, got \\\"resolved\\\"\"}");
  }

  @Test
  void history_listsEventsNewestFirst() throws Exception {
    fireN1();
    value("n1", 2, 1);
    evaluateAt(3);

    JsonNode history = json(get("/api/v1/alerts/history")).get("history");
    // Each lifecycle event, and after it its delivery to the (default) log channel.
    assertThat(history).extracting(e -> e.get("type").asText()).containsExactly("sent", "resolved", "sent", "firing");
    assertThat(history.get(1).get("at").asLong()).isEqualTo(T0.plusSeconds(180).toEpochMilli());
    assertThat(history.get(3).get("monitor_id").asText()).isEqualTo("shard-is-down");
    assertThat(history.get(3).get("labels").toString()).isEqualTo("{\"node\":\"n1\"}");
    assertThat(history.get(3).has("channel")).isFalse();
    assertThat(history.get(2).get("channel").asText()).isEqualTo("log");
    assertThat(history.get(2).get("detail").asText()).isEqualTo("firing, 1 alert, attempt 1: logged 1 alerts");
  }

  @Test
  void pauseAndResume_stopAndRestartEvaluation() throws Exception {
    HttpResponse<String> paused = post("/api/v1/monitors/shard-is-down/pause");
    assertThat(paused.statusCode()).isEqualTo(200);
    assertThat(paused.body()).isEqualTo("{\"id\":\"shard-is-down\",\"state\":\"paused\"}");
    fireN1();
    assertThat(json(get("/api/v1/monitors/shard-is-down")).get("groups_firing").asInt()).isZero();

    String resumed = json(post("/api/v1/monitors/shard-is-down/resume")).get("state").asText();
    assertThat(resumed).isNotEqualTo("paused")
        .isEqualTo(json(get("/api/v1/monitors/shard-is-down")).get("state").asText());
    value("n1", 2, 0);
    value("n1", 3, 0);
    evaluateAt(4); // the last two buckets, minutes 2 and 3, both breach
    assertThat(json(get("/api/v1/monitors/shard-is-down")).get("state").asText()).isEqualTo("firing");
  }

  @Test
  void reload_keepsTheStateOfUnchangedMonitors_andABadReloadChangesNothing() throws Exception {
    fireN1();
    Files.writeString(dataDir.resolve("rules/redis.yml"), RULES.replace("max_allowed_value: 100", "max_allowed_value: 50")
        + """
          - name: Added
            metrics: [redis_up as $up]
            query: [$up]
            max_allowed_value: 5
        """);

    HttpResponse<String> reloaded = post("/-/reload");
    assertThat(reloaded.statusCode()).isEqualTo(200);
    assertThat(reloaded.body()).isEqualTo("{\"status\":\"reloaded\",\"monitors\":3}");
    JsonNode monitors = json(get("/api/v1/monitors")).get("monitors");
    assertThat(monitors).hasSize(3);
    assertThat(monitors.get(0).get("state").asText()).isEqualTo("firing");

    Files.writeString(dataDir.resolve("rules/redis.yml"), "monitors:\n  - name: broken\n");
    HttpResponse<String> rejected = post("/-/reload");
    assertThat(rejected.statusCode()).isEqualTo(400);
    assertThat(json(rejected).get("error").asText()).isEqualTo("rule files have errors; the previous rules keep running");
    assertThat(json(rejected).get("errors").get(0).asText()).endsWith("redis.yml:2:5: monitor \"broken\" needs metrics, e.g. 'redis_up as $up'");
    assertThat(json(get("/api/v1/monitors")).get("monitors")).hasSize(3);

    evaluateAt(3);
    JsonNode history = json(get("/api/v1/alerts/history")).get("history");
    // still the one firing event: the reload did not fire it again
    assertThat(history).filteredOn(e -> !e.has("channel")).extracting(e -> e.get("type").asText())
        .containsExactly("firing");
  }
}
