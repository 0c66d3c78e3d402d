package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.Tocsin;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.RuleHarness;
import io.tocsin.util.MutableClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus-shaped alert API over HTTP, exact answers on a simulated clock. */
class PrometheusApiTest {
  private static final Instant T0 = RuleHarness.T0;
  static final String RULES = """
      monitors:
        - name: Shard is down
          metrics: [redis_up as $up]
          query: [group by node, $up as up]
          min_allowed_value: 1
          for_duration: 2m
          keep_firing_for: 30s
          evaluation_delay: 0s
          labels: {severity: page}
          annotations: {summary: "{{labels.node}} is down ({{value}})"}
        - name: Never fires
          metrics: [redis_up as $up]
          query: [$up]
          max_allowed_value: 100
          grouping_interval: 90s
          evaluation_delay: 0s
      """;

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final MutableClock clock = harness.clock();
  private Tocsin tocsin;
  private ApiClient api;
  private String file;

  @BeforeEach
  void start() throws Exception {
    tocsin = harness.start(dataDir, "redis.yml", RULES);
    api = ApiClient.of(tocsin);
    file = dataDir.resolve("rules").resolve("redis.yml").toString();
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  /** n1 is down from minute 0 and fires at minute 2; n2 goes down in minute 2 and is pending at minute 3. */
  private void fireN1PendN2() {
    for (int m = 0; m < 3; m++) {
      RuleHarness.value(tocsin, "n1", m, 0);
      RuleHarness.value(tocsin, "n2", m, m < 2 ? 1 : 0.75);
    }
    harness.evaluateAt(tocsin, 1);
    harness.evaluateAt(tocsin, 2);
    harness.evaluateAt(tocsin, 3);
  }

  /** The answer with every evaluationTime (a measured duration) checked to be a number and set to 0. */
  private JsonNode withoutTimings(JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      if (object.has("evaluationTime")) {
        assertThat(object.get("evaluationTime").isNumber()).as(object.toString()).isTrue();
        assertThat(object.get("evaluationTime").asDouble()).isGreaterThanOrEqualTo(0);
        object.put("evaluationTime", 0);
      }
      object.forEach(this::withoutTimings);
    } else if (node.isArray()) {
      node.forEach(this::withoutTimings);
    }
    return node;
  }

  private JsonNode json(String text) throws Exception {
    return ApiClient.JSON.readTree(text);
  }

  private static final String FIRING_N1 = """
      {"labels": {"alertname": "Shard is down", "node": "n1", "severity": "page"},
       "annotations": {"summary": "n1 is down (0)"}, "state": "firing",
       "activeAt": "2026-03-01T12:00:00Z", "value": "0e+00"}""";
  private static final String PENDING_N2 = """
      {"labels": {"alertname": "Shard is down", "node": "n2", "severity": "page"},
       "annotations": {"summary": "n2 is down (0.75)"}, "state": "pending",
       "activeAt": "2026-03-01T12:02:00Z", "value": "7.5e-01"}""";

  private String shardIsDown(String alerts) {
    return """
        {"state": "firing", "name": "Shard is down", "query": "redis_up as $up | group by node | $up as up",
         "duration": 120, "keepFiringFor": 30, "labels": {"severity": "page"},
         "annotations": {"summary": "{{labels.node}} is down ({{value}})"}, "alerts": [%s], "health": "ok",
         "evaluationTime": 0, "lastEvaluation": "2026-03-01T12:03:00Z", "type": "alerting"}""".formatted(alerts);
  }

  private static final String NEVER_FIRES = """
      {"state": "inactive", "name": "Never fires", "query": "redis_up as $up | $up", "duration": 450,
       "keepFiringFor": 0, "labels": {}, "annotations": {}, "alerts": [], "health": "ok", "evaluationTime": 0,
       "lastEvaluation": "2026-03-01T12:03:00Z", "type": "alerting"}""";

  private String group(String rules) {
    return """
        {"name": "%s", "file": "%s", "rules": [%s], "interval": 60, "limit": 0, "evaluationTime": 0,
         "lastEvaluation": "2026-03-01T12:03:00Z"}""".formatted(file, file, rules);
  }

  @Test
  void rules_listTheRuleFileAsAGroup_andEachMonitorAsAnAlertingRuleWithItsAlerts() throws Exception {
    fireN1PendN2();

    HttpResponse<String> response = api.get("/api/prometheus/api/v1/rules");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    assertThat(withoutTimings(json(response.body()))).isEqualTo(json("""
        {"status": "success", "data": {"groups": [%s]}}""".formatted(
        group(shardIsDown(FIRING_N1 + "," + PENDING_N2) + "," + NEVER_FIRES))));
  }

  @Test
  void alerts_listEveryPendingAndFiringGroup() throws Exception {
    fireN1PendN2();

    assertThat(json(api.get("/api/prometheus/api/v1/alerts").body())).isEqualTo(json("""
        {"status": "success", "data": {"alerts": [%s, %s]}}""".formatted(FIRING_N1, PENDING_N2)));
  }

  @Test
  void rules_beforeAnyEvaluation_areInactiveWithUnknownHealthAndGosZeroTime() throws Exception {
    JsonNode rule = json(api.get("/api/prometheus/api/v1/rules").body()).at("/data/groups/0/rules/0");

    assertThat(rule.get("state").asText()).isEqualTo("inactive");
    assertThat(rule.get("health").asText()).isEqualTo("unknown");
    assertThat(rule.get("lastEvaluation").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(rule.has("lastError")).isFalse();
    assertThat(json(api.get("/api/prometheus/api/v1/alerts").body()).toString())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"alerts\":[]}}");
  }

  @Test
  void rules_filters_selectByRuleName_groupAndFile_andDropGroupsLeftEmpty() throws Exception {
    fireN1PendN2();
    String byName = "/api/prometheus/api/v1/rules?rule_name[]=" + ApiClient.q("Never fires");

    assertThat(withoutTimings(json(api.get(byName).body()))).isEqualTo(json("""
        {"status": "success", "data": {"groups": [%s]}}""".formatted(group(NEVER_FIRES))));
    assertThat(json(api.get("/api/prometheus/api/v1/rules?file[]=" + ApiClient.q(file)).body())
        .at("/data/groups/0/rules")).hasSize(2);
    assertThat(json(api.get("/api/prometheus/api/v1/rules?rule_group[]=" + ApiClient.q(file)
        + "&rule_name[]=" + ApiClient.q("Shard is down")).body()).at("/data/groups/0/rules")).hasSize(1);
    // Grafana percent-encodes the brackets.
    assertThat(json(api.get("/api/prometheus/api/v1/rules?rule_name%5B%5D=" + ApiClient.q("Never fires")).body())
        .at("/data/groups/0/rules")).hasSize(1);
    assertThat(api.get("/api/prometheus/api/v1/rules?file[]=other.yml").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"groups\":[]}}");
  }

  @Test
  void rules_typeAlert_listsEverything_typeRecord_listsTheGroupsWithNoRules() throws Exception {
    fireN1PendN2();

    assertThat(json(api.get("/api/prometheus/api/v1/rules?type=alert").body()))
        .isEqualTo(json(api.get("/api/prometheus/api/v1/rules").body()));
    assertThat(withoutTimings(json(api.get("/api/prometheus/api/v1/rules?type=record").body()))).isEqualTo(json("""
        {"status": "success", "data": {"groups": [%s]}}""".formatted(group(""))));
  }

  @Test
  void rules_unknownType_isPrometheusBadData() throws Exception {
    HttpResponse<String> response = api.get("/api/prometheus/api/v1/rules?type=recorded");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"status\":\"error\",\"errorType\":\"bad_data\","
        + "\"error\":\"invalid parameter \\\"type\\\": not supported value \\\"recorded\\\"\"}");
  }

  @Test
  void rules_unknownParameters_areIgnored_asByPrometheus() throws Exception {
    fireN1PendN2();

    assertThat(json(api.get("/api/prometheus/api/v1/alerts?dashboard_uid=x").body()).at("/data/alerts")).hasSize(2);
    assertThat(json(api.get("/api/prometheus/api/v1/rules?match[]=up").body()).at("/data/groups")).hasSize(1);
  }

  @Test
  void answers_overTheBound_listTheFirstFiringAlerts_andWarnHowManyAreLeftOut() throws Exception {
    int groups = PrometheusRulesHandler.MAX_ALERTS + 5;
    for (int i = 0; i < groups; i++) {
      String node = "n" + (100_000 + i);
      for (int m = 0; m < 3; m++) {
        // The first five nodes breach only from minute 2: pending, and left out although their labels sort first.
        double v = i < 5 && m < 2 ? 1 : 0;
        long at = T0.toEpochMilli() + m * 60_000L + 10_000;
        tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", node), s -> s.append(at, v));
      }
    }
    harness.evaluateAt(tocsin, 3);

    JsonNode alerts = json(api.get("/api/prometheus/api/v1/alerts").body());
    assertThat(alerts.at("/data/alerts")).hasSize(PrometheusRulesHandler.MAX_ALERTS)
        .allSatisfy(a -> assertThat(a.get("state").asText()).isEqualTo("firing"));
    assertThat(alerts.at("/data/alerts/0/labels/node").asText()).isEqualTo("n100005");
    assertThat(alerts.get("warnings").toString()).isEqualTo("[\"only the first 10000 alerts are listed; "
        + "5 more are left out (see /api/v1/alerts for paged lists)\"]");
    JsonNode rules = json(api.get("/api/prometheus/api/v1/rules").body());
    assertThat(rules.at("/data/groups/0/rules/0/state").asText()).isEqualTo("firing");
    assertThat(rules.at("/data/groups/0/rules/0/alerts")).hasSize(PrometheusRulesHandler.MAX_ALERTS);
    assertThat(rules.get("warnings")).isEqualTo(alerts.get("warnings"));
  }

  @Test
  void rules_ofAMonitorEvaluatedByAPeer_showTheStateThePeerReplicated() throws Exception {
    fireN1PendN2();
    try (Tocsin peer = harness.start(dataDir.resolve("peer"), "redis.yml", RULES)) {
      peer.engine().placeBy(id -> !id.equals("shard-is-down"));
      tocsin.engine().alertStates().forEach(peer.engine()::adopt);

      JsonNode alerts = json(ApiClient.of(peer).get("/api/prometheus/api/v1/alerts").body());
      assertThat(alerts).isEqualTo(json(api.get("/api/prometheus/api/v1/alerts").body()));
      JsonNode rule = json(ApiClient.of(peer).get("/api/prometheus/api/v1/rules").body())
          .at("/data/groups/0/rules/0");
      assertThat(rule.get("state").asText()).isEqualTo("firing");
      assertThat(rule.get("lastEvaluation").asText()).isEqualTo("0001-01-01T00:00:00Z");
    }
  }
}
