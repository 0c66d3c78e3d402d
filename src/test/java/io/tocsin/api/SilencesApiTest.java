package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.testing.MutableClock;
import io.tocsin.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/redis.yml"), MonitorsApiTest.RULES);
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock, false);
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
    return json.get("silenceID").asText();
  }

  @Test
  void create_thenList_showsTheSilenceInAlertmanagersV2Shape() throws Exception {
    String id = post("""
        {"matchers": [{"name": "monitor", "value": "Shard is down", "isRegex": false, "isEqual": true},
                      {"name": "node", "value": "n[12]", "isRegex": true},
                      "zone!~\\"eu-.*\\""],
         "endsAt": "2026-03-01T14:00:00+01:00", "createdBy": "ops@example.com", "comment": "redis upgrade"}""");

    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    String expected = """
        {"id":"%s","matchers":[\
        {"name":"monitor","value":"Shard is down","isRegex":false,"isEqual":true},\
        {"name":"node","value":"n[12]","isRegex":true,"isEqual":true},\
        {"name":"zone","value":"eu-.*","isRegex":true,"isEqual":false}],\
        "startsAt":"2026-03-01T12:00:00Z","endsAt":"2026-03-01T13:00:00Z",\
        "createdBy":"ops@example.com","comment":"redis upgrade","updatedAt":"2026-03-01T12:00:00Z",\
        "status":{"state":"active"}}""".formatted(id);
    HttpResponse<String> list = get("/api/v1/silences");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).isEqualTo("{\"silences\":[" + expected + "]}");
    assertThat(get("/api/v1/silences/" + id).body()).isEqualTo(expected);
    assertThat(tocsin.silences().silencing(Map.of("alertname", "Shard is down", "node", "n2"), T0.toEpochMilli()))
        .contains(id);
  }

  @Test
  void create_startingLater_isPendingUntilThen() throws Exception {
    String id = post("""
        {"matchers": ["node=n1"], "startsAt": "2026-03-01T12:30:00Z", "endsAt": "2026-03-01T13:00:00Z"}""");

    assertThat(JSON.readTree(get("/api/v1/silences/" + id).body()).get("status").toString())
        .isEqualTo("{\"state\":\"pending\"}");
    clock.set(T0.plus(Duration.ofMinutes(30)));
    JsonNode silence = JSON.readTree(get("/api/v1/silences/" + id).body());
    assertThat(silence.get("status").toString()).isEqualTo("{\"state\":\"active\"}");
    assertThat(silence.get("createdBy").asText()).isEmpty();
    assertThat(silence.get("comment").asText()).isEmpty();
  }

  @Test
  void postWithAnId_updatesThatSilence_andAListedSilenceCanBePostedBack() throws Exception {
    String id = post("""
        {"matchers": ["node=n1"], "endsAt": "2026-03-01T13:00:00Z", "createdBy": "ann", "comment": "first"}""");
    clock.set(T0.plus(Duration.ofMinutes(5)));

    // What GET shows, with endsAt and comment changed: status and updatedAt are ignored.
    Map<String, Object> listed = JSON.readValue(get("/api/v1/silences/" + id).body(), LinkedHashMap.class);
    listed.put("endsAt", "2026-03-01T15:00:00Z");
    listed.put("comment", "takes longer");
    assertThat(post(JSON.writeValueAsString(listed))).isEqualTo(id);

    JsonNode silences = JSON.readTree(get("/api/v1/silences").body()).get("silences");
    assertThat(silences).hasSize(1);
    assertThat(silences.get(0).get("endsAt").asText()).isEqualTo("2026-03-01T15:00:00Z");
    assertThat(silences.get(0).get("startsAt").asText()).isEqualTo("2026-03-01T12:00:00Z");
    assertThat(silences.get(0).get("comment").asText()).isEqualTo("takes longer");
    assertThat(silences.get(0).get("createdBy").asText()).isEqualTo("ann");
    assertThat(silences.get(0).get("updatedAt").asText()).isEqualTo("2026-03-01T12:05:00Z");

    HttpResponse<String> unknown = send("POST", "/api/v1/silences",
        "{\"id\": \"nope\", \"matchers\": [\"node=n1\"], \"endsAt\": \"2026-03-01T13:00:00Z\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"error\":\"no silence with id \\\"nope\\\"\"}");
  }

  @Test
  void delete_expiresTheSilenceNow_andUnknownIsA404() throws Exception {
    String id = post("{\"matchers\": [\"node=n1\"], \"endsAt\": \"2026-03-01T13:00:00Z\"}");
    clock.set(T0.plus(Duration.ofMinutes(10)));

    HttpResponse<String> deleted = send("DELETE", "/api/v1/silences/" + id, null);

    assertThat(deleted.statusCode()).isEqualTo(200);
    JsonNode expired = JSON.readTree(deleted.body());
    assertThat(expired.get("endsAt").asText()).isEqualTo("2026-03-01T12:10:00Z");
    assertThat(expired.get("status").toString()).isEqualTo("{\"state\":\"expired\"}");
    assertThat(JSON.readTree(get("/api/v1/silences").body()).get("silences").get(0).get("status").get("state").asText())
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
    post("{\"matchers\": [\"node=n1\"], \"endsAt\": \"2026-03-01T13:00:00Z\"}");

    clock.set(Instant.parse("2026-03-02T12:59:59.999Z"));
    assertThat(JSON.readTree(get("/api/v1/silences").body()).get("silences")).hasSize(1);
    clock.set(Instant.parse("2026-03-02T13:00:00Z"));
    assertThat(get("/api/v1/silences").body()).isEqualTo("{\"silences\":[]}");
  }

  @Test
  void badBodies_are400WithAPreciseMessage() throws Exception {
    String end = "\"endsAt\": \"2026-03-01T13:00:00Z\"";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"matchers\": [\"node=n1\"]", "request body is not valid JSON: Unexpected end-of-input: "
        + "expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])");
    cases.put("[]", "request body must be a JSON object with \"matchers\" and \"endsAt\"");
    cases.put("{" + end + "}", "\"matchers\" is required: a list of matchers, each "
        + "{\"name\", \"value\", \"isRegex\", \"isEqual\"} or a string such as 'node=~\"n[12]\"'");
    cases.put("{\"matchers\": \"node=n1\", " + end + "}", "\"matchers\" must be a list of matchers, each "
        + "{\"name\", \"value\", \"isRegex\", \"isEqual\"} or a string such as 'node=~\"n[12]\"'");
    cases.put("{\"matchers\": [], " + end + "}", "\"matchers\" must not be empty: a silence needs at least one matcher");
    cases.put("{\"matchers\": [\"node=n1\", 7], " + end + "}", "matchers[1] must be "
        + "{\"name\", \"value\", \"isRegex\", \"isEqual\"} or a string such as 'node=~\"n[12]\"'; found number");
    cases.put("{\"matchers\": [{\"value\": \"n1\"}], " + end + "}",
        "matchers[0].name is required: a label name, or \"monitor\" for the monitor name");
    cases.put("{\"matchers\": [{\"name\": \"node\"}], " + end + "}",
        "matchers[0].value is required: a string (\"\" matches a missing label)");
    cases.put("{\"matchers\": [{\"name\": \"node\", \"value\": 1}], " + end + "}",
        "matchers[0].value must be a string; found number");
    cases.put("{\"matchers\": [{\"name\": \"node\", \"value\": \"n1\", \"isRegex\": \"yes\"}], " + end + "}",
        "matchers[0].isRegex must be true or false; found string");
    cases.put("{\"matchers\": [{\"name\": \"node\", \"value\": \"n1\", \"regex\": true}], " + end + "}",
        "matchers[0]: unknown field \"regex\"; expected name, value, isRegex, isEqual");
    cases.put("{\"matchers\": [{\"name\": \"no-de\", \"value\": \"n1\"}], " + end + "}",
        "matchers[0]: invalid label name \"no-de\": use letters, digits and _, not starting with a digit");
    cases.put("{\"matchers\": [\"node=n1\", {\"name\": \"node\", \"value\": \"n(1\", \"isRegex\": true}], " + end + "}",
        "matchers[1]: invalid regular expression \"n(1\" for label \"node\": Unclosed group near index 3");
    cases.put("{\"matchers\": [\"node~n1\"], " + end + "}", "matchers[0]: cannot parse matcher 'node~n1': "
        + "expected a label name, an operator (=, !=, =~, !~) and a value, e.g. node=~\"n[12]\"");
    cases.put("{\"matchers\": [\"zone=\\\"\\\"\"], " + end + "}", "at least one matcher must not match the empty "
        + "string; otherwise the silence covers every alert that lacks these labels");
    cases.put("{\"matchers\": [\"node=n1\"]}", "\"endsAt\" is required: an RFC 3339 time such as \"2026-03-01T12:00:00Z\"");
    cases.put("{\"matchers\": [\"node=n1\"], \"endsAt\": 1772370000000}",
        "\"endsAt\" must be an RFC 3339 time such as \"2026-03-01T12:00:00Z\"; found number");
    cases.put("{\"matchers\": [\"node=n1\"], \"endsAt\": \"tomorrow\"}",
        "\"endsAt\" must be an RFC 3339 time such as \"2026-03-01T12:00:00Z\", got \"tomorrow\"");
    cases.put("{\"matchers\": [\"node=n1\"], \"startsAt\": \"2026-03-01T12:00:00\", " + end + "}",
        "\"startsAt\" must be an RFC 3339 time such as \"2026-03-01T12:00:00Z\", got \"2026-03-01T12:00:00\"");
    cases.put("{\"matchers\": [\"node=n1\"], \"startsAt\": \"2026-03-01T13:00:00Z\", " + end + "}",
        "endsAt (2026-03-01T13:00:00Z) must be after startsAt (2026-03-01T13:00:00Z)");
    cases.put("{\"matchers\": [\"node=n1\"], \"startsAt\": \"2026-03-01T10:00:00Z\", \"endsAt\": \"2026-03-01T11:00:00Z\"}",
        "endsAt (2026-03-01T11:00:00Z) must be in the future; it is now 2026-03-01T12:00:00Z");
    cases.put("{\"matchers\": [\"node=n1\"], " + end + ", \"createdBy\": 5}", "\"createdBy\" must be a string; found number");
    cases.put("{\"matchers\": [\"node=n1\"], " + end + ", \"id\": {}}", "\"id\" must be a string; found object");
    cases.put("{\"matchers\": [\"node=n1\"], " + end + ", \"expiresAt\": \"x\"}",
        "unknown field \"expiresAt\"; expected id, matchers, startsAt, endsAt, createdBy, comment");

    SoftAssertions soft = new SoftAssertions();
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> response = send("POST", "/api/v1/silences", c.getKey());
      soft.assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
      soft.assertThat(response.body()).as(c.getKey()).isEqualTo(JSON.writeValueAsString(Map.of("error", c.getValue())));
    }
    soft.assertAll();
    assertThat(get("/api/v1/silences").body()).isEqualTo("{\"silences\":[]}");
  }
}
