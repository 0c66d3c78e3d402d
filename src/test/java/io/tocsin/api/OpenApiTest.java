package io.tocsin.api;

import static io.tocsin.testing.RemoteWriteRequests.labels;
import static io.tocsin.testing.RemoteWriteRequests.request;
import static io.tocsin.testing.RemoteWriteRequests.series;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.RemoteWriteRequests;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.Secret;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document held against the real server: the same routes both ways, the same auth
 * rules, and real responses (and the requests the tests send) valid against its schemas.
 */
class OpenApiTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final String TOKEN = "t0ken";
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch",
      "trace");
  private static final String LOCATION = "classpath:io/tocsin/api/openapi.json";
  private static final JsonNode DOC = readDocument();
  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31());

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final RecordingReceiver receiver = RecordingReceiver.start("/hook");
  private final Set<String> exercised = new TreeSet<>();
  private Tocsin tocsin;

  private static JsonNode readDocument() {
    try {
      return ApiClient.JSON.readTree(ApiServer.openApiDocument());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private ApiClient start(ServerConfig.Api api) throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/r.yml"), rules());
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir).withApi(api), clock, false);
    return ApiClient.of(tocsin);
  }

  private String rules() {
    return MonitorsApiTest.RULES + """
          - name: Shard health
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 0.5
            for_duration: 2m
            evaluation_delay: 0s
            levels: {warning: {min_allowed_value: 1, for_duration: 1m}}
        channels:
          - {name: log, type: log}
          - {name: refusing, type: webhook, url: "%s"}
        """.formatted(receiver.url("/hook"));
  }

  @AfterEach
  void stop() {
    if (tocsin != null) {
      tocsin.close();
    }
    receiver.close();
  }

  /** "METHOD path" of every operation in the document. */
  private static Set<String> documented() {
    Set<String> operations = new TreeSet<>();
    DOC.get("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
      if (METHODS.contains(method)) {
        operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
      }
    }));
    return operations;
  }

  private static JsonNode operation(String methodAndPath) {
    String[] parts = methodAndPath.split(" ", 2);
    return DOC.get("paths").get(parts[1]).get(parts[0].toLowerCase(Locale.ROOT));
  }

  /** A path with each {param} replaced by a value no resource has. */
  private static String concrete(String path) {
    return path.replaceAll("\\{[^}]+}", "no-such-thing");
  }

  @Test
  void document_isServedAsJson_andIsOpenApi31() throws Exception {
    ApiClient api = start(ServerConfig.Api.OPEN);
    HttpResponse<String> served = api.get("/api/v1/openapi.json");

    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    assertThat(ApiClient.JSON.readTree(served.body())).isEqualTo(DOC);
    assertThat(DOC.get("openapi").asText()).isEqualTo("3.1.0");
  }

  @Test
  void document_andRoutes_holdTheSameOperations() throws Exception {
    start(ServerConfig.Api.OPEN);
    Set<String> routed = tocsin.api().routes().stream().map(r -> r.method() + " " + r.path())
        .collect(Collectors.toCollection(TreeSet::new));

    assertThat(routed).as("routes that the document lacks").isSubsetOf(documented());
    assertThat(documented()).as("documented operations that are not routed").isSubsetOf(routed);
    assertThat(routed).hasSize(tocsin.api().routes().size()); // no route registered twice
  }

  @Test
  void everyDocumentedOperation_isAnsweredByItsHandler_notTheCatchAll() throws Exception {
    ApiClient api = start(ServerConfig.Api.OPEN);
    SoftAssertions soft = new SoftAssertions();
    for (String op : documented()) {
      String[] parts = op.split(" ", 2);
      HttpResponse<String> response = api.send(parts[0], concrete(parts[1]), parts[0].equals("GET") ? null : "{}");
      soft.assertThat(response.statusCode()).as(op).isNotEqualTo(405);
      soft.assertThat(response.body()).as(op).doesNotStartWith("{\"error\":\"not found: ");
    }
    soft.assertAll();
  }

  @Test
  void everyRef_resolves_andEveryOperationHasAnIdAndDocumentsItsErrors() {
    List<String> refs = new ArrayList<>();
    collectRefs(DOC, refs);
    assertThat(refs).isNotEmpty().allSatisfy(ref -> {
      assertThat(ref).startsWith("#/");
      assertThat(DOC.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
    });
    Set<String> ids = new TreeSet<>();
    for (String op : documented()) {
      JsonNode operation = operation(op);
      assertThat(ids.add(operation.get("operationId").asText())).as("operationId of " + op + " is unique").isTrue();
      if (!operation.get("security").isEmpty()) {
        assertThat(operation.get("responses").has("401")).as(op + " documents 401").isTrue();
      }
    }
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().equals("$ref")) {
          refs.add(field.getValue().asText());
        } else {
          collectRefs(field.getValue(), refs);
        }
      }
    } else if (node.isArray()) {
      node.forEach(item -> collectRefs(item, refs));
    }
  }

  /** Whether the document says the operation needs the token (no anonymous alternative). */
  private static boolean needsToken(JsonNode operation) {
    JsonNode security = operation.get("security");
    if (security.isEmpty()) {
      return false;
    }
    for (JsonNode requirement : security) {
      if (requirement.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static boolean tokenHelps(JsonNode operation) {
    return !operation.get("security").isEmpty();
  }

  @Test
  void security_asDocumented_isWhatTheServerEnforces() throws Exception {
    ApiClient anonymous = start(new ServerConfig.Api(Secret.of(TOKEN), false));
    SoftAssertions soft = new SoftAssertions();
    for (String op : documented()) {
      String[] parts = op.split(" ", 2);
      HttpResponse<String> response = anonymous.send(parts[0], concrete(parts[1]), null);
      boolean refused = response.statusCode() == 401;
      soft.assertThat(refused).as(op + " without a token refused").isEqualTo(needsToken(operation(op)));
      if (refused) {
        soft.assertThat(response.body()).as(op).isEqualTo(
            ApiClient.error("this endpoint needs Authorization: Bearer <api.token>"));
        conforms(soft, op, response);
      }
    }
    tocsin.close();

    // With protect_reads, everything but what the document marks as open needs the token.
    ApiClient closed = start(new ServerConfig.Api(Secret.of(TOKEN), true));
    for (String op : documented()) {
      String[] parts = op.split(" ", 2);
      HttpResponse<String> response = closed.send(parts[0], concrete(parts[1]), null);
      soft.assertThat(response.statusCode() == 401).as(op + " without a token refused with protect_reads")
          .isEqualTo(tokenHelps(operation(op)));
      HttpResponse<String> wrong = closed.withToken("guess").send(parts[0], concrete(parts[1]), null);
      if (tokenHelps(operation(op))) {
        soft.assertThat(wrong.body()).as(op)
            .isEqualTo(ApiClient.error("the bearer token is not the configured api.token"));
        conforms(soft, op, wrong);
      }
    }
    soft.assertAll();
  }

  /** Checks a response against the document: its status is documented, and its body fits the schema. */
  private void conforms(SoftAssertions soft, String op, HttpResponse<String> response) throws Exception {
    exercised.add(op + " " + response.statusCode());
    String[] parts = op.split(" ", 2);
    String pointer = "/paths/" + parts[1].replace("~", "~0").replace("/", "~1") + "/"
        + parts[0].toLowerCase(Locale.ROOT) + "/responses/" + response.statusCode();
    JsonNode documentedResponse = DOC.at(pointer);
    soft.assertThat(documentedResponse.isMissingNode()).as(op + " documents status " + response.statusCode()
        + " (" + response.body() + ")").isFalse();
    if (documentedResponse.isMissingNode()) {
      return;
    }
    if (documentedResponse.has("$ref")) {
      pointer = documentedResponse.get("$ref").asText().substring(1);
      documentedResponse = DOC.at(pointer);
    }
    if (!documentedResponse.has("content")) {
      soft.assertThat(response.body()).as(op + " " + response.statusCode() + " has no body").isEmpty();
      return;
    }
    String contentType = documentedResponse.get("content").fieldNames().next();
    soft.assertThat(response.headers().firstValue("Content-Type").orElse("")).as(op + " content type")
        .startsWith(contentType);
    if (contentType.equals("application/json")) {
      Schema schema = SCHEMAS.getSchema(
          SchemaLocation.of(LOCATION + "#" + pointer + "/content/application~1json/schema"));
      List<Error> errors = schema.validate(ApiClient.JSON.readTree(response.body()));
      soft.assertThat(errors).as(op + " " + response.statusCode() + ": " + response.body()).isEmpty();
    }
  }

  private static List<Error> requestErrors(String schemaName, String body) throws Exception {
    Schema schema = SCHEMAS.getSchema(SchemaLocation.of(LOCATION + "#/components/schemas/" + schemaName));
    return schema.validate(ApiClient.JSON.readTree(body));
  }

  @Test
  void schemas_areStrict_soThatAFitMeansSomething() throws Exception {
    Schema monitors = SCHEMAS.getSchema(SchemaLocation.of(LOCATION
        + "#/paths/~1api~1v1~1monitors/get/responses/200/content/application~1json/schema"));
    assertThat(monitors.validate(ApiClient.JSON.readTree("{\"monitors\": [], \"total\": 0}"))).isEmpty();
    assertThat(monitors.validate(ApiClient.JSON.readTree("{\"monitors\": []}"))).isNotEmpty();
    assertThat(monitors.validate(ApiClient.JSON.readTree("{\"monitors\": [{\"id\": \"x\"}], \"total\": 1}")))
        .isNotEmpty();
    String silence = """
        {"id": "x", "matchers": [{"name": "node", "value": "n1", "is_regex": false, "is_equal": true}],
         "starts_at": 1, "ends_at": 2, "created_by": "", "comment": "", "updated_at": 1, "state": "active"}""";
    assertThat(requestErrors("Silence", silence)).isEmpty();
    assertThat(requestErrors("Silence", silence.replace("\"ends_at\": 2", "\"ends_at\": \"2026-03-01T12:00:00Z\"")))
        .isNotEmpty();
    assertThat(requestErrors("Silence", silence.replace("is_regex", "isRegex"))).isNotEmpty();
    assertThat(requestErrors("Error", "{\"error\": \"x\", \"detail\": 1}")).isNotEmpty();
  }

  @Test
  void realResponses_fitTheDocumentedSchemas() throws Exception {
    ApiClient api = start(ServerConfig.Api.OPEN);
    receiver.answer(400, "no such hook", Map.of());
    for (int m = 0; m < 2; m++) {
      long at = T0.toEpochMilli() + m * 60_000L + 10_000;
      tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n1"), s -> s.append(at, 0));
      tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n2"), s -> s.append(at, 1));
    }
    tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n3"),
        s -> s.append(T0.toEpochMilli() + 60_000 + 10_000, 0));
    for (int m = 1; m <= 2; m++) {
      clock.set(T0.plus(Duration.ofMinutes(m)));
      tocsin.evaluateMonitors();
    }
    String silenceBody = """
        {"matchers": ["node=n1", {"name": "monitor", "value": "Shard.*", "is_regex": true}],
         "starts_at": 1772366400000, "ends_at": "2026-03-01T14:00:00Z", "created_by": "ops", "comment": "upgrade"}""";
    String queryBody = """
        {"metrics": ["redis_up as $up"], "query": ["group by node", "$up as up | 1 / 0 as inf"], "range": "5m"}""";
    assertThat(requestErrors("SilenceRequest", silenceBody)).isEmpty();
    assertThat(requestErrors("QueryRequest", queryBody)).isEmpty();
    assertThat(requestErrors("SilenceRequest", "{\"matchers\": [], \"endsAt\": 1}")).isNotEmpty();

    SoftAssertions soft = new SoftAssertions();
    HttpResponse<String> created = api.post("/api/v1/silences", silenceBody);
    conforms(soft, "POST /api/v1/silences", created);
    String id = ApiClient.JSON.readTree(created.body()).get("id").asText();
    conforms(soft, "POST /api/v1/silences", api.post("/api/v1/silences", "{\"matchers\": []}"));
    conforms(soft, "POST /api/v1/silences", api.post("/api/v1/silences",
        "{\"id\": \"nope\", \"matchers\": [\"node=n1\"], \"ends_at\": \"2026-03-01T14:00:00Z\"}"));
    conforms(soft, "GET /api/v1/silences", api.get("/api/v1/silences"));
    conforms(soft, "GET /api/v1/silences", api.get("/api/v1/silences?limit=x"));
    conforms(soft, "GET /api/v1/silences/{id}", api.get("/api/v1/silences/" + id));
    conforms(soft, "GET /api/v1/silences/{id}", api.get("/api/v1/silences/nope"));
    conforms(soft, "DELETE /api/v1/silences/{id}", api.send("DELETE", "/api/v1/silences/" + id, null));
    conforms(soft, "DELETE /api/v1/silences/{id}", api.send("DELETE", "/api/v1/silences/nope", null));

    conforms(soft, "GET /api/v1/monitors", api.get("/api/v1/monitors"));
    conforms(soft, "GET /api/v1/monitors", api.get("/api/v1/monitors?offset=-1"));
    conforms(soft, "GET /api/v1/monitors/{id}", api.get("/api/v1/monitors/shard-is-down"));
    conforms(soft, "GET /api/v1/monitors/{id}", api.get("/api/v1/monitors/shard-health"));
    conforms(soft, "GET /api/v1/monitors/{id}", api.get("/api/v1/monitors/never-fires?range=5m"));
    conforms(soft, "GET /api/v1/monitors/{id}", api.get("/api/v1/monitors/shard-is-down?range=soon"));
    conforms(soft, "GET /api/v1/monitors/{id}", api.get("/api/v1/monitors/nope"));
    conforms(soft, "GET /api/v1/alerts", api.get("/api/v1/alerts"));
    conforms(soft, "GET /api/v1/alerts", api.get("/api/v1/alerts?match=" + ApiClient.q("node=~\"n[13]\"")));
    conforms(soft, "GET /api/v1/alerts", api.get("/api/v1/alerts?state=resolved"));
    conforms(soft, "GET /api/v1/alerts/history", api.get("/api/v1/alerts/history"));
    conforms(soft, "GET /api/v1/alerts/history", api.get("/api/v1/alerts/history?limit=2000"));
    conforms(soft, "POST /api/v1/query", api.post("/api/v1/query", queryBody));
    conforms(soft, "POST /api/v1/query", api.post("/api/v1/query", "{\"query\": [\"rat(1)\"]}"));
    conforms(soft, "POST /api/v1/query", api.post("/api/v1/query", "[]"));
    String apiUrl = "http://127.0.0.1:" + tocsin.httpPort();
    long sampleAt = clock.millis() - 1000;
    conforms(soft, "POST /api/v1/write", RemoteWriteRequests.post(apiUrl,
        request(series("rw_up", labels(), sampleAt, 1))));
    conforms(soft, "POST /api/v1/write", RemoteWriteRequests.post(apiUrl,
        request(series("rw_up", labels(), sampleAt - 1000, 1))));
    conforms(soft, "POST /api/v1/write", RemoteWriteRequests.post(apiUrl, new byte[] {1}, "text/plain", "snappy", null));
    conforms(soft, "GET /api/v1/channels", api.get("/api/v1/channels"));
    conforms(soft, "GET /api/v1/cluster", api.get("/api/v1/cluster"));
    conforms(soft, "GET /api/prometheus/api/v1/rules", api.get("/api/prometheus/api/v1/rules"));
    conforms(soft, "GET /api/prometheus/api/v1/rules", api.get("/api/prometheus/api/v1/rules?type=recorded"));
    conforms(soft, "GET /api/prometheus/api/v1/alerts", api.get("/api/prometheus/api/v1/alerts"));
    conforms(soft, "POST /api/v1/channels/{name}/test", api.post("/api/v1/channels/log/test", null));
    conforms(soft, "POST /api/v1/channels/{name}/test", api.post("/api/v1/channels/refusing/test", null));
    conforms(soft, "POST /api/v1/channels/{name}/test", api.post("/api/v1/channels/nope/test", null));
    conforms(soft, "GET /api/v1/alerts/history", api.get("/api/v1/alerts/history"));
    conforms(soft, "POST /api/v1/routes/test", api.post("/api/v1/routes/test",
        "{\"labels\": {\"monitor\": \"Shard is down\"}, \"at\": \"2026-03-01T12:00:00Z\"}"));
    conforms(soft, "POST /api/v1/routes/test", api.post("/api/v1/routes/test", "{}"));
    conforms(soft, "POST /api/v1/monitors/{id}/pause", api.post("/api/v1/monitors/never-fires/pause", null));
    conforms(soft, "POST /api/v1/monitors/{id}/pause", api.post("/api/v1/monitors/nope/pause", null));
    conforms(soft, "POST /api/v1/monitors/{id}/resume", api.post("/api/v1/monitors/never-fires/resume", null));
    conforms(soft, "POST /api/v1/monitors/{id}/resume", api.post("/api/v1/monitors/nope/resume", null));
    conforms(soft, "GET /api/v1/openapi.json", api.get("/api/v1/openapi.json"));
    conforms(soft, "POST /-/reload", api.post("/-/reload", null));
    Files.writeString(dataDir.resolve("rules/r.yml"), "monitors:\n  - name: broken\n");
    conforms(soft, "POST /-/reload", api.post("/-/reload", null));
    conforms(soft, "GET /-/healthy", api.get("/-/healthy"));
    conforms(soft, "GET /-/ready", api.get("/-/ready"));
    conforms(soft, "GET /metrics", api.get("/metrics"));
    conforms(soft, "GET /", api.get("/"));
    conforms(soft, "GET /monitors/{id}", api.get("/monitors/shard-is-down"));
    conforms(soft, "GET /monitors/{id}", api.get("/monitors/nope"));
    soft.assertAll();

    // Each operation was seen answering 2xx at least once.
    Set<String> succeeded = exercised.stream().filter(e -> e.matches(".* 2\\d\\d"))
        .map(e -> e.substring(0, e.lastIndexOf(' '))).collect(Collectors.toCollection(TreeSet::new));
    assertThat(succeeded).isEqualTo(documented());
  }
}
