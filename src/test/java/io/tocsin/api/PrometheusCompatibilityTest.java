package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.Tocsin;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.RuleHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tocsin's Prometheus-shaped alert API held against the real thing: Debian's Prometheus 2.42
 * runs alerting rules equivalent to four Tocsin monitors (firing, pending, inactive, failing),
 * and both answers of {@code /api/v1/rules} and {@code /api/v1/alerts} must have the same
 * structure: the same keys at every level, the same JSON types, the same state and health words,
 * the same time and value formats. Prometheus also formats a set of awkward sample values, which
 * {@link PrometheusFormat#value} must write identically.
 */
class PrometheusCompatibilityTest {
  /** Go's time.Time in JSON: RFC 3339 with up to nine fraction digits; Prometheus uses the local zone. */
  private static final Pattern GO_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?(Z|[+-]\\d\\d:\\d\\d)");
  private static final Pattern TOCSIN_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z");
  private static final Pattern GO_VALUE = Pattern.compile("-?\\d(\\.\\d+)?e[+-]\\d{2,3}|NaN|[+-]Inf");
  /** Sample values whose shortest form is awkward: many digits, extreme exponents, Java 17's non-shortest cases. */
  private static final List<String> VALUES = List.of("0", "1", "0.75", "-1234.5", "0.1", "0.3333333333333333",
      "1e21", "123456789.125", "2.82879384806159e17", "5e-324", "1.7976931348623157e308", "2.2250738585072014e-308",
      "1e-7", "100", "NaN", "+Inf", "-Inf");
  private static final Set<String> LABEL_SETS = Set.of("labels", "annotations");
  private static final List<String> RULES = List.of("AlwaysFiring", "Pending", "Inactive", "Broken");

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  private static String prometheusRules(Path file) {
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < VALUES.size(); i++) {
      values.append("      - {alert: v").append(i).append(", expr: 'vector(").append(VALUES.get(i)).append(")'}\n");
    }
    return """
        groups:
          - name: %s
            rules:
              - alert: AlwaysFiring
                expr: vector(1)
                labels: {severity: page}
                annotations: {summary: "value {{ $value }}"}
              - alert: Pending
                expr: vector(1)
                for: 1h
              - alert: Inactive
                expr: vector(1) > 2
              - alert: Broken
                expr: 'label_replace(vector(1), "a", "$1", "b", "(")'
          - name: values
            rules:
        """.formatted(file) + values;
  }

  private static final String TOCSIN_RULES = """
      monitors:
        - name: AlwaysFiring
          metrics: [redis_up as $up]
          query: [group by node, $up as up]
          max_allowed_value: 0
          for_duration: 1m
          evaluation_delay: 0s
          labels: {severity: page}
          annotations: {summary: "value {{value}}"}
        - name: Pending
          metrics: [redis_up as $up]
          query: [$up as up]
          max_allowed_value: 0.5
          for_duration: 1h
          evaluation_delay: 0s
        - name: Inactive
          metrics: [redis_up as $up]
          query: [$up as up]
          max_allowed_value: 100
          evaluation_delay: 0s
        - name: Broken
          metrics: [redis_up as $up, latency as $lat]
          query: [$up + p99($lat) as v]
          min_allowed_value: 1
          evaluation_delay: 0s
      """;

  private JsonNode get(String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
    return ApiClient.JSON.readTree(response.body());
  }

  /** Polls Prometheus until its answer shows every rule evaluated, with a generous deadline. */
  private JsonNode await(String url, Predicate<JsonNode> ready) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode last = get(url);
    while (!ready.test(last)) {
      assertThat(System.nanoTime()).as("Prometheus did not get there in time; last answer " + last).isLessThan(deadline);
      Thread.sleep(100); // polling an external process for a condition
      last = get(url);
    }
    return last;
  }

  private static Map<String, JsonNode> rulesByName(JsonNode answer) {
    Map<String, JsonNode> rules = new LinkedHashMap<>();
    answer.at("/data/groups").forEach(g -> g.get("rules").forEach(r -> rules.put(r.get("name").asText(), r)));
    return rules;
  }

  private static boolean evaluated(JsonNode answer) {
    Map<String, JsonNode> rules = rulesByName(answer);
    return rules.size() == RULES.size() + VALUES.size()
        && rules.values().stream().noneMatch(r -> r.get("lastEvaluation").asText().startsWith("0001-"))
        && rules.get("AlwaysFiring").get("state").asText().equals("firing")
        && rules.get("Pending").get("state").asText().equals("pending")
        && rules.get("Broken").get("health").asText().equals("err");
  }

  @Test
  void rulesAndAlerts_haveTheStructureOfRealPrometheus() throws Exception {
    assumeTrue(ExternalServer.installed(ExternalServer.PROMETHEUS),
        () -> skip("no Prometheus at " + ExternalServer.PROMETHEUS));
    Path ruleFile = dir.resolve("prometheus-rules.yml");
    Files.writeString(ruleFile, prometheusRules(ruleFile));
    String config = "global: {evaluation_interval: 1s}\nrule_files: [\"" + ruleFile + "\"]\n";
    RuleHarness harness = new RuleHarness();
    try (ExternalServer prometheus = ExternalServer.prometheus(dir.resolve("prometheus"), config);
        Tocsin tocsin = harness.start(dir.resolve("tocsin"), "rules.yml", TOCSIN_RULES)) {
      for (int m = 0; m < 2; m++) {
        RuleHarness.value(tocsin, "n1", m, 1);
      }
      tocsin.store().write("latency", MetricKind.GAUGE, Labels.of("node", "n1"),
          s -> s.append(RuleHarness.T0.toEpochMilli() + 10_000, 5));
      harness.evaluateAt(tocsin, 1);
      harness.evaluateAt(tocsin, 2);
      String tocsinApi = "http://127.0.0.1:" + tocsin.httpPort() + "/api/prometheus/api/v1/";

      JsonNode theirRules = await(prometheus.url() + "/api/v1/rules", PrometheusCompatibilityTest::evaluated);
      JsonNode theirAlerts = get(prometheus.url() + "/api/v1/alerts");
      JsonNode ourRules = get(tocsinApi + "rules");
      JsonNode ourAlerts = get(tocsinApi + "alerts");

      // Each rule in the same state with the same health, and the same structure rule by rule.
      Map<String, JsonNode> theirs = rulesByName(theirRules);
      Map<String, JsonNode> ours = rulesByName(ourRules);
      assertThat(ours.keySet()).containsExactlyElementsOf(RULES);
      for (String name : RULES) {
        assertThat(ours.get(name).get("state")).as(name).isEqualTo(theirs.get(name).get("state"));
        assertThat(ours.get(name).get("health")).as(name).isEqualTo(theirs.get(name).get("health"));
        assertThat(shape(ours.get(name))).as(name).isEqualTo(shape(theirs.get(name)));
      }
      // The whole answers: their "values" group only checks formatting, below.
      ArrayNode theirGroups = (ArrayNode) theirRules.at("/data/groups");
      theirGroups.remove(1);
      assertThat(shape(ourRules)).isEqualTo(shape(theirRules));
      assertThat(shape(ourAlerts)).isEqualTo(shape(theirAlerts));
      assertThat(ourAlerts.at("/data/alerts")).extracting(a -> a.get("state").asText())
          .containsExactly("firing", "pending");

      // Times and values in the same formats (Prometheus writes its local zone; Tocsin UTC).
      for (JsonNode answer : List.of(theirRules, theirAlerts)) {
        strings(answer, "lastEvaluation", "activeAt").forEach(t -> assertThat(t).matches(GO_TIME));
        strings(answer, "value").forEach(v -> assertThat(v).matches(GO_VALUE));
      }
      for (JsonNode answer : List.of(ourRules, ourAlerts)) {
        strings(answer, "lastEvaluation", "activeAt").forEach(t -> assertThat(t).matches(TOCSIN_TIME));
        strings(answer, "value").forEach(v -> assertThat(v).matches(GO_VALUE));
      }

      // Prometheus' own formatting of awkward values, one firing alert each.
      Map<String, String> formatted = new TreeMap<>();
      Map<String, String> expected = new TreeMap<>();
      JsonNode values = get(prometheus.url() + "/api/v1/alerts");
      for (JsonNode alert : values.at("/data/alerts")) {
        String name = alert.at("/labels/alertname").asText();
        if (name.matches("v\\d+")) {
          String literal = VALUES.get(Integer.parseInt(name.substring(1)));
          formatted.put(literal, alert.get("value").asText());
          expected.put(literal, PrometheusFormat.value(parse(literal)));
        }
      }
      assertThat(formatted).hasSize(VALUES.size()).isEqualTo(expected);
    }
  }

  private static double parse(String literal) {
    return switch (literal) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(literal);
    };
  }

  /**
   * The structure of a JSON answer: an object's keys with their shapes, an array as the set of
   * its elements' shapes, a scalar as its JSON type; label and annotation sets (their names are
   * data, not structure) as a map of their values' shapes.
   */
  static Object shape(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> fields = new TreeMap<>();
      node.fields().forEachRemaining(f -> fields.put(f.getKey(), LABEL_SETS.contains(f.getKey())
          ? List.of("map of", shape(ApiClient.JSON.valueToTree(List.copyOf(values(f.getValue())))))
          : shape(f.getValue())));
      return fields;
    }
    if (node.isArray()) {
      Set<Object> elements = new HashSet<>();
      node.forEach(e -> elements.add(shape(e)));
      return List.of("array of", elements);
    }
    return node.getNodeType().name().toLowerCase();
  }

  private static List<JsonNode> values(JsonNode object) {
    List<JsonNode> values = new ArrayList<>();
    object.forEach(values::add);
    return values;
  }

  /** Every string value of these keys anywhere in the answer. */
  private static List<String> strings(JsonNode node, String... keys) {
    List<String> found = new ArrayList<>();
    if (node.isObject()) {
      for (String key : keys) {
        if (node.has(key)) {
          found.add(node.get(key).asText());
        }
      }
    }
    node.forEach(child -> found.addAll(strings(child, keys)));
    return found;
  }

  private static String skip(String reason) {
    System.out.println("PrometheusCompatibilityTest skipped: " + reason);
    return reason;
  }
}
