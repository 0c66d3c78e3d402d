package io.tocsin.api;

import static io.tocsin.api.ApiClient.error;
import static io.tocsin.api.ApiClient.q;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tocsin.Tocsin;
import io.tocsin.history.AlertHistory;
import io.tocsin.testing.RuleHarness;
import io.tocsin.util.MutableClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filters of {@code GET /api/v1/alerts} and the paging of every list, over HTTP. */
class ListsApiTest {
  private static final Instant T0 = RuleHarness.T0;
  private static final String RULES = """
      monitors:
        - name: Shard is down
          metrics: [redis_up as $up]
          query: [group by node, $up as up]
          min_allowed_value: 1
          for_duration: 2m
          evaluation_delay: 0s
          labels: {severity: page}
        - name: Shard is not fully up
          metrics: [redis_up as $up]
          query: [group by node, $up as up]
          min_allowed_value: 2
          for_duration: 2m
          evaluation_delay: 0s
          labels: {severity: ticket}
      """;

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final MutableClock clock = harness.clock();
  private Tocsin tocsin;
  private ApiClient api;

  @BeforeEach
  void start() throws Exception {
    tocsin = harness.start(dataDir, "redis.yml", RULES);
    api = ApiClient.of(tocsin);
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

  /**
   * At minute 3: n1 (up 0) fires in both monitors, n2 (up 1) fires in "not fully up" only, n3
   * (up 0 from minute 2) is pending in both.
   */
  private void fiveAlerts() {
    for (int m = 0; m < 3; m++) {
      value("n1", m, 0);
      value("n2", m, 1);
    }
    value("n3", 2, 0);
    evaluateAt(1);
    evaluateAt(2);
    evaluateAt(3);
  }

  /** The alerts of a listing as "monitor_id labels state". */
  private List<String> alerts(String query) throws Exception {
    JsonNode body = api.json("/api/v1/alerts" + query);
    List<String> lines = new ArrayList<>();
    for (JsonNode a : body.get("alerts")) {
      lines.add(a.get("monitor_id").asText() + " " + a.get("labels") + " " + a.get("state").asText());
    }
    assertThat(body.get("total").asInt()).as("total of " + query).isGreaterThanOrEqualTo(lines.size());
    return lines;
  }

  @Test
  void alerts_withoutFilters_listAllFiringAndPending_withTheirTotal() throws Exception {
    fiveAlerts();

    assertThat(alerts("")).containsExactly(
        "shard-is-down {\"node\":\"n1\"} firing",
        "shard-is-down {\"node\":\"n3\"} pending",
        "shard-is-not-fully-up {\"node\":\"n1\"} firing",
        "shard-is-not-fully-up {\"node\":\"n2\"} firing",
        "shard-is-not-fully-up {\"node\":\"n3\"} pending");
    assertThat(api.json("/api/v1/alerts").get("total").asInt()).isEqualTo(5);
  }

  @Test
  void alerts_filterByMonitor_idOrExactName() throws Exception {
    fiveAlerts();

    assertThat(alerts("?monitor=shard-is-down")).containsExactly(
        "shard-is-down {\"node\":\"n1\"} firing",
        "shard-is-down {\"node\":\"n3\"} pending");
    assertThat(alerts("?monitor=" + q("Shard is not fully up") + "&state=pending")).containsExactly(
        "shard-is-not-fully-up {\"node\":\"n3\"} pending");
    assertThat(api.json("/api/v1/alerts?monitor=shard-is-down").get("total").asInt()).isEqualTo(2);

    HttpResponse<String> unknown = api.get("/api/v1/alerts?monitor=" + q("shard is down"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).isEqualTo(error("monitor: no monitor with id or name \"shard is down\""));
  }

  @Test
  void alerts_filterByLabelMatchers_allMustMatch() throws Exception {
    fiveAlerts();

    assertThat(alerts("?match=" + q("node=~\"n[12]\""))).containsExactly(
        "shard-is-down {\"node\":\"n1\"} firing",
        "shard-is-not-fully-up {\"node\":\"n1\"} firing",
        "shard-is-not-fully-up {\"node\":\"n2\"} firing");
    // Monitor labels count, and every matcher must hold.
    assertThat(alerts("?match=" + q("severity=page") + "&match=" + q("node!=n1"))).containsExactly(
        "shard-is-down {\"node\":\"n3\"} pending");
    // The monitor name is the label alertname, and "monitor" is its alias.
    assertThat(alerts("?match=" + q("alertname=~\".*fully.*\"") + "&match=" + q("node!~\"n[13]\""))).containsExactly(
        "shard-is-not-fully-up {\"node\":\"n2\"} firing");
    assertThat(alerts("?match=" + q("monitor=\"Shard is down\"") + "&state=firing")).containsExactly(
        "shard-is-down {\"node\":\"n1\"} firing");
    // A label nobody has is "": != holds, = does not.
    assertThat(alerts("?match=" + q("zone=eu"))).isEmpty();
    assertThat(alerts("?match=" + q("zone!=eu") + "&monitor=shard-is-down")).hasSize(2);
  }

  @Test
  void alerts_matchWithACatastrophicRegex_answersInLinearTime() throws Exception {
    // ((a+)+)+ took 31.7 s on a 29-character value with a backtracking engine; label values come from OTLP.
    String hostile = "a".repeat(28) + "!";
    for (int m = 0; m < 3; m++) {
      value(hostile, m, 0);
    }
    evaluateAt(1);
    evaluateAt(2);
    evaluateAt(3);
    assertThat(alerts("?monitor=shard-is-down&state=firing")).hasSize(1);

    long start = System.nanoTime();
    assertThat(alerts("?match=" + q("node=~\"((a+)+)+\""))).isEmpty();
    assertThat(alerts("?match=" + q("node!~\"(a|aa)+\"") + "&monitor=shard-is-down")).containsExactly(
        "shard-is-down {\"node\":\"" + hostile + "\"} firing");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void alerts_badFilters_are400WithAPreciseMessage() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("?match=" + q("node~n1"), "match: cannot parse matcher 'node~n1': "
        + "expected a label name, an operator (=, !=, =~, !~) and a value, e.g. node=~\"n[12]\"");
    cases.put("?match=" + q("node=n1") + "&match=" + q("node=~\"n(1\""),
        "match: invalid regular expression \"n(1\" for label \"node\": missing closing ) at character 2");
    cases.put("?match=" + q("node=~\"(n)\\1\""), "match: invalid regular expression \"(n)\\1\" for label \"node\": "
        + "backreferences such as \\1 are not supported (Tocsin uses RE2 syntax: no backreferences, lookaround, "
        + "possessive quantifiers or atomic groups) at character 4");
    cases.put("?match=" + q("no-de=n1"), "match: cannot parse matcher 'no-de=n1': "
        + "expected a label name, an operator (=, !=, =~, !~) and a value, e.g. node=~\"n[12]\"");
    cases.put("?match=", "match: cannot parse matcher '': "
        + "expected a label name, an operator (=, !=, =~, !~) and a value, e.g. node=~\"n[12]\"");
    cases.put("?state=resolved", "state must be firing or pending, got \"resolved\"");
    cases.put("?state=firing&state=pending", "query parameter \"state\" is given 2 times; give it once");
    cases.put("?matcher=" + q("node=n1"),
        "unknown query parameter \"matcher\"; expected state, monitor, match, limit, offset");

    SoftAssertions soft = new SoftAssertions();
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> response = api.get("/api/v1/alerts" + c.getKey());
      soft.assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
      soft.assertThat(response.body()).as(c.getKey()).isEqualTo(error(c.getValue()));
    }
    soft.assertAll();
  }

  @Test
  void alerts_arePagedAfterFiltering() throws Exception {
    fiveAlerts();

    JsonNode page = api.json("/api/v1/alerts?state=firing&limit=2&offset=1");
    assertThat(page.get("total").asInt()).isEqualTo(3);
    assertThat(alerts("?state=firing&limit=2&offset=1")).containsExactly(
        "shard-is-not-fully-up {\"node\":\"n1\"} firing",
        "shard-is-not-fully-up {\"node\":\"n2\"} firing");
    JsonNode none = api.json("/api/v1/alerts?limit=0");
    assertThat(none.get("alerts")).isEmpty();
    assertThat(none.get("total").asInt()).isEqualTo(5);
  }

  @Test
  void alerts_defaultPageIs500() throws Exception {
    for (int n = 0; n < 300; n++) {
      for (int m = 0; m < 2; m++) {
        value("n" + n, m, 0);
      }
    }
    evaluateAt(1);
    evaluateAt(2);

    JsonNode all = api.json("/api/v1/alerts");
    assertThat(all.get("total").asInt()).isEqualTo(600);
    assertThat(all.get("alerts")).hasSize(500);
    assertThat(api.json("/api/v1/alerts?limit=1000").get("alerts")).hasSize(600);
    assertThat(api.json("/api/v1/alerts?offset=550").get("alerts")).hasSize(50);
  }

  @Test
  void monitors_arePaged() throws Exception {
    JsonNode first = api.json("/api/v1/monitors?limit=1");
    assertThat(first.get("total").asInt()).isEqualTo(2);
    assertThat(first.get("monitors")).extracting(m -> m.get("id").asText()).containsExactly("shard-is-down");
    assertThat(api.json("/api/v1/monitors?offset=1").get("monitors")).extracting(m -> m.get("id").asText())
        .containsExactly("shard-is-not-fully-up");
    assertThat(api.json("/api/v1/monitors?offset=5").get("monitors")).isEmpty();
  }

  @Test
  void history_defaultPageIs100_newestFirst() throws Exception {
    for (int i = 0; i < 150; i++) {
      tocsin.engine().history().add(new AlertHistory.Entry(T0.toEpochMilli() + i, "firing", "shard-is-down",
          "Shard is down", Map.of("node", "n" + i), 0, "", null));
    }

    JsonNode page = api.json("/api/v1/alerts/history");
    assertThat(page.get("total").asInt()).isEqualTo(150);
    assertThat(page.get("history")).hasSize(100);
    assertThat(page.get("history").get(0).get("labels").toString()).isEqualTo("{\"node\":\"n149\"}");
    JsonNode last = api.json("/api/v1/alerts/history?offset=140&limit=1000").get("history");
    assertThat(last).extracting(e -> e.get("labels").get("node").asText())
        .containsExactly("n9", "n8", "n7", "n6", "n5", "n4", "n3", "n2", "n1", "n0");
  }

  @Test
  void everyList_refusesABadLimitOrOffset() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("limit=ten", "limit must be a whole number from 0 to 1000, got \"ten\"");
    cases.put("limit=-1", "limit must be a whole number from 0 to 1000, got \"-1\"");
    cases.put("limit=1001", "limit must be a whole number from 0 to 1000, got \"1001\"");
    cases.put("limit=1.5", "limit must be a whole number from 0 to 1000, got \"1.5\"");
    cases.put("offset=-1", "offset must be a whole number 0 or more, got \"-1\"");
    cases.put("offset=99999999999", "offset must be a whole number 0 or more, got \"99999999999\"");
    cases.put("limit=1&limit=2", "query parameter \"limit\" is given 2 times; give it once");

    SoftAssertions soft = new SoftAssertions();
    for (String list : List.of("/api/v1/monitors", "/api/v1/alerts", "/api/v1/alerts/history", "/api/v1/silences")) {
      for (Map.Entry<String, String> c : cases.entrySet()) {
        HttpResponse<String> response = api.get(list + "?" + c.getKey());
        soft.assertThat(response.statusCode()).as(list + "?" + c.getKey()).isEqualTo(400);
        soft.assertThat(response.body()).as(list + "?" + c.getKey()).isEqualTo(error(c.getValue()));
      }
      HttpResponse<String> unknown = api.get(list + "?page=2");
      soft.assertThat(unknown.statusCode()).as(list + "?page=2").isEqualTo(400);
      soft.assertThat(unknown.body()).as(list + "?page=2")
          .startsWith("{\"error\":\"unknown query parameter \\\"page\\\"; expected ");
    }
    soft.assertAll();
  }
}
