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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The silences REST API over HTTP against an in-process Tocsin on a simulated clock. */
class SilencesApiTest {
  private static final Instant T0 = RuleHarness.T0;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final MutableClock clock = harness.clock();
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    tocsin = harness.start(dataDir, "redis.yml", MonitorsApiTest.RULES);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body);
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + path))
        .method(method, publisher).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null);
  }

  /** Creates (or updates) a silence and returns its id. */
  private String post(String body) throws Exception {
    HttpResponse<String> response = send("POST", "/api/v1/silences", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.size()).isEqualTo(1);
    return json.get("id").asText();
  }

  @Test
  void create_thenList_showsTheSilenceInSnakeCaseWithUnixMillis() throws Exception {
    String id = post("""
        {"matchers": [{"name": "monitor", "value": "Shard is down", "is_regex": false, "is_equal": true},
                      {"name": "node", "value": "n[12]", "is_regex": true},
                      "zone!~\\"eu-.*\\""],
         "ends_at": "2026-03-01T14:00:00+01:00", "created_by": "ops@example.com", "comment": "redis upgrade"}""");

    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    String expected = """
        {"id":"%s","matchers":[\
        {"name":"monitor","value":"Shard is down","is_regex":false,"is_equal":true},\
        {"name":"node","value":"n[12]","is_regex":true,"is_equal":true},\
        {"name":"zone","value":"eu-.*","is_regex":true,"is_equal":false}],\
        "starts_at":%d,"ends_at":%d,\
        "created_by":"ops@example.com","comment":"redis upgrade","updated_at":%d,\
        "state":"active"}""".formatted(id, T0.toEpochMilli(), T0.plusSeconds(3600).toEpochMilli(), T0.toEpochMilli());
    HttpResponse<String> list = get("/api/v1/silences");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).isEqualTo("{\"silences\":[" + expected + "],\"total\":1}");
    assertThat(get("/api/v1/silences/" + id).body()).isEqualTo(expected);
    assertThat(tocsin.silences().silencing(Map.of("alertname", "Shard is down", "node", "n2"), T0.toEpochMilli()))
        .contains(id);
  }

  @Test
  void create_startingLater_isPendingUntilThen() throws Exception {
    String id = post("""
        {"matchers": ["node=n1"], "starts_at": "2026-03-01T12:30:00Z", "ends_at": "2026-03-01T13:00:00Z"}""");

    assertThat(JSON.readTree(get("/api/v1/silences/" + id).body()).get("state").asText()).isEqualTo("pending");
    clock.set(T0.plus(Duration.ofMinutes(30)));
    JsonNode silence = JSON.readTree(get("/api/v1/silences/" + id).body());
    assertThat(silence.get("state").asText()).isEqualTo("active");
    assertThat(silence.get("created_by").asText()).isEmpty();
    assertThat(silence.get("comment").asText()).isEmpty();
  }

  @Test
  void create_withUnixMillis_takesThemAsGiven() throws Exception {
    long start = T0.plus(Duration.ofMinutes(15)).toEpochMilli();
    long end = T0.plus(Duration.ofMinutes(45)).toEpochMilli();
    String id = post("{\"matchers\": [\"node=n1\"], \"starts_at\": " + start + ", \"ends_at\": " + end + "}");

    JsonNode silence = JSON.readTree(get("/api/v1/silences/" + id).body());
    assertThat(silence.get("starts_at").asLong()).isEqualTo(start);
    assertThat(silence.get("ends_at").asLong()).isEqualTo(end);
    assertThat(silence.get("state").asText()).isEqualTo("pending");
  }

  @Test
  void list_isPagedWithLimitAndOffset_andTotalCountsAll() throws Exception {
    // Active silences are listed ending soonest first: n1, n2, n3.
    for (int i = 1; i <= 3; i++) {
      post("{\"matchers\": [\"node=n" + i + "\"], \"ends_at\": " + T0.plus(Duration.ofHours(i)).toEpochMilli() + "}");
    }

    JsonNode page = JSON.readTree(get("/api/v1/silences?limit=1&offset=1").body());
    assertThat(page.get("total").asInt()).isEqualTo(3);
    assertThat(page.get("silences")).extracting(x -> x.get("matchers").get(0).get("value").asText()).containsExactly("n2");
    JsonNode rest = JSON.readTree(get("/api/v1/silences?offset=1").body());
    assertThat(rest.get("silences")).extracting(x -> x.get("matchers").get(0).get("value").asText())
        .containsExactly("n2", "n3");
    assertThat(JSON.readTree(get("/api/v1/silences?offset=3").body()).get("silences")).isEmpty();
    HttpResponse<String> bad = get("/api/v1/silences?limit=1001");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("{\"error\":\"limit must be a whole number from 0 to 1000, got \\\"1001\\\"\"}");
  }

  @Test
  void postWithAnId_updatesThatSilence_andAListedSilenceCanBePostedBack() throws Exception {
    String id = post("""
        {"matchers": ["node=n1"], "ends_at": "2026-03-01T13:00:00Z", "created_by": "ann", "comment": "first"}""");
    clock.set(T0.plus(Duration.ofMinutes(5)));

    // What GET shows, with ends_at (in Unix ms, as GET shows it) and comment changed: state and
    // updated_at are ignored.
    Map<String, Object> listed = JSON.readValue(get("/api/v1/silences/" + id).body(), LinkedHashMap.class);
    listed.put("ends_at", T0.plus(Duration.ofHours(3)).toEpochMilli());
    listed.put("comment", "takes longer");
    assertThat(post(JSON.writeValueAsString(listed))).isEqualTo(id);

    JsonNode silences = JSON.readTree(get("/api/v1/silences").body()).get("silences");
    assertThat(silences).hasSize(1);
    assertThat(silences.get(0).get("ends_at").asLong()).isEqualTo(T0.plus(Duration.ofHours(3)).toEpochMilli());
    assertThat(silences.get(0).get("starts_at").asLong()).isEqualTo(T0.toEpochMilli());
    assertThat(silences.get(0).get("comment").asText()).isEqualTo("takes longer");
    assertThat(silences.get(0).get("created_by").asText()).isEqualTo("ann");
    assertThat(silences.get(0).get("updated_at").asLong()).isEqualTo(T0.plus(Duration.ofMinutes(5)).toEpochMilli());

    HttpResponse<String> unknown = send("POST", "/api/v1/silences",
        "{\"id\": \"nope\", \"matchers\": [\"node=n1\"], \"ends_at\": \"2026-03-01T13:00:00Z\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"error\":\"no silence with id \\\"nope\\\"\"}");
  }

  @Test
  void delete_expiresTheSilenceNow_andUnknownIsA404() throws Exception {
    String id = post("{\"matchers\": [\"node=n1\"], \"ends_at\": \"2026-03-01T13:00:00Z\"}");
    clock.set(T0.plus(Duration.ofMinutes(10)));

    HttpResponse<String> deleted = send("DELETE", "/api/v1/silences/" + id, null);

    assertThat(deleted.statusCode()).isEqualTo(200);
    JsonNode expired = JSON.readTree(deleted.body());
    assertThat(expired.get("ends_at").asLong()).isEqualTo(T0.plus(Duration.ofMinutes(10)).toEpochMilli());
    assertThat(expired.get("state").asText()).isEqualTo("expired");
    assertThat(JSON.readTree(get("/api/v1/silences").body()).get("silences").get(0).get("state").asText())
        .isEqualTo("expired");
    assertThat(tocsin.silences().silencing(Map.of("node", "n1"), clock.millis())).isEmpty();

    HttpResponse<String> unknown = send("DELETE", "/api/v1/silences/nope", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"error\":\"no silence with id \\\"nope\\\"\"}");
    HttpResponse<String> unknownGet = get("/api/v1/silences/nope");
    assertThat(unknownGet.statusCode()).isEqualTo(404);
    assertThat(unknownGet.body()).isEqualTo("{\"error\":\"no silence with id \\\"nope\\\"\"}");
  }

  @Test
  void expiredSilences_areListedFor24hThenDropped() throws Exception {
    post("{\"matchers\": [\"node=n1\"], \"ends_at\": \"2026-03-01T13:00:00Z\"}");

    clock.set(Instant.parse("2026-03-02T12:59:59.999Z"));
    assertThat(JSON.readTree(get("/api/v1/silences").body()).get("silences")).hasSize(1);
    clock.set(Instant.parse("2026-03-02T13:00:00Z"));
    assertThat(get("/api/v1/silences").body()).isEqualTo("{\"silences\":[],\"total\":0}");
  }

  @Test
  void badBodies_are400WithAPreciseMessage() throws Exception {
    String end = "\"ends_at\": \"2026-03-01T13:00:00Z\"";
    String matcherForms = "{\"name\", \"value\", \"is_regex\", \"is_equal\"} or a string such as 'node=~\"n[12]\"'";
    String timeForms = "Unix milliseconds such as 1772366400000 or an RFC 3339 time such as \"2026-03-01T12:00:00Z\"";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"matchers\": [\"node=n1\"]", "request body is not valid JSON: Unexpected end-of-input: "
        + "expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])");
    cases.put("[]", "request body must be a JSON object with \"matchers\" and \"ends_at\"");
    cases.put("{" + end + "}", "\"matchers\" is required: a list of matchers, each " + matcherForms);
    cases.put("{\"matchers\": \"node=n1\", " + end + "}", "\"matchers\" must be a list of matchers, each " + matcherForms);
    cases.put("{\"matchers\": [], " + end + "}", "\"matchers\" must not be empty: a silence needs at least one matcher");
    cases.put("{\"matchers\": [\"node=n1\", 7], " + end + "}", "matchers[1] must be " + matcherForms + "; found number");
    cases.put("{\"matchers\": [{\"value\": \"n1\"}], " + end + "}",
        "matchers[0].name is required: a label name, or \"monitor\" for the monitor name");
    cases.put("{\"matchers\": [{\"name\": \"node\"}], " + end + "}",
        "matchers[0].value is required: a string (\"\" matches a missing label)");
    cases.put("{\"matchers\": [{\"name\": \"node\", \"value\": 1}], " + end + "}",
        "matchers[0].value must be a string; found number");
    cases.put("{\"matchers\": [{\"name\": \"node\", \"value\": \"n1\", \"is_regex\": \"yes\"}], " + end + "}",
        "matchers[0].is_regex must be true or false; found string");
    cases.put("{\"matchers\": [{\"name\": \"node\", \"value\": \"n1\", \"regex\": true}], " + end + "}",
        "matchers[0]: unknown field \"regex\"; expected name, value, is_regex, is_equal");
    cases.put("{\"matchers\": [{\"name\": \"node\", \"value\": \"n1\", \"isRegex\": true}], " + end + "}",
        "matchers[0]: unknown field \"isRegex\" (did you mean \"is_regex\"?); expected name, value, is_regex, is_equal");
    cases.put("{\"matchers\": [{\"name\": \"no-de\", \"value\": \"n1\"}], " + end + "}",
        "matchers[0]: invalid label name \"no-de\": use letters, digits and _, not starting with a digit");
    cases.put("{\"matchers\": [\"node=n1\", {\"name\": \"node\", \"value\": \"n(1\", \"is_regex\": true}], " + end + "}",
        "matchers[1]: invalid regular expression \"n(1\" for label \"node\": missing closing ) at character 2");
    cases.put("{\"matchers\": [\"node~n1\"], " + end + "}", "matchers[0]: cannot parse matcher 'node~n1': "
        + "expected a label name, an operator (=, !=, =~, !~) and a value, e.g. node=~\"n[12]\"");
    cases.put("{\"matchers\": [\"zone=\\\"\\\"\"], " + end + "}", "at least one matcher must not match the empty "
        + "string; otherwise the silence covers every alert that lacks these labels");
    cases.put("{\"matchers\": [\"node=n1\"]}", "\"ends_at\" is required: " + timeForms);
    cases.put("{\"matchers\": [\"node=n1\"], \"ends_at\": true}", "\"ends_at\" must be " + timeForms + "; found boolean");
    cases.put("{\"matchers\": [\"node=n1\"], \"ends_at\": 1.5}", "\"ends_at\" must be " + timeForms + ", got 1.5");
    cases.put("{\"matchers\": [\"node=n1\"], \"ends_at\": 1772370000}",
        "\"ends_at\": 1772370000 looks like Unix seconds; give Unix milliseconds (1772370000000)");
    cases.put("{\"matchers\": [\"node=n1\"], \"ends_at\": \"tomorrow\"}",
        "\"ends_at\" must be " + timeForms + ", got \"tomorrow\"");
    cases.put("{\"matchers\": [\"node=n1\"], \"starts_at\": \"2026-03-01T12:00:00\", " + end + "}",
        "\"starts_at\" must be " + timeForms + ", got \"2026-03-01T12:00:00\"");
    cases.put("{\"matchers\": [\"node=n1\"], \"starts_at\": \"2026-03-01T13:00:00Z\", " + end + "}",
        "ends_at (2026-03-01T13:00:00Z) must be after starts_at (2026-03-01T13:00:00Z)");
    cases.put("{\"matchers\": [\"node=n1\"], \"starts_at\": 1772359200000, \"ends_at\": 1772362800000}",
        "ends_at (2026-03-01T11:00:00Z) must be in the future; it is now 2026-03-01T12:00:00Z");
    cases.put("{\"matchers\": [\"node=n1\"], " + end + ", \"created_by\": 5}", "\"created_by\" must be a string; found number");
    cases.put("{\"matchers\": [\"node=n1\"], " + end + ", \"id\": {}}", "\"id\" must be a string; found object");
    cases.put("{\"matchers\": [\"node=n1\"], " + end + ", \"expires_at\": \"x\"}",
        "unknown field \"expires_at\"; expected id, matchers, starts_at, ends_at, created_by, comment");
    cases.put("{\"matchers\": [\"node=n1\"], \"endsAt\": \"2026-03-01T13:00:00Z\"}",
        "unknown field \"endsAt\" (did you mean \"ends_at\"?); expected id, matchers, starts_at, ends_at, created_by, comment");

    SoftAssertions soft = new SoftAssertions();
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> response = send("POST", "/api/v1/silences", c.getKey());
      soft.assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
      soft.assertThat(response.body()).as(c.getKey()).isEqualTo(JSON.writeValueAsString(Map.of("error", c.getValue())));
    }
    soft.assertAll();
    assertThat(get("/api/v1/silences").body()).isEqualTo("{\"silences\":[],\"total\":0}");
  }
}
