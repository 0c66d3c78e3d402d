package io.tocsin.api;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.tocsin.Tocsin;
import io.tocsin.testing.SdkClock;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/v1/query} over HTTP, fed by the OpenTelemetry SDK over OTLP. */
class QueryApiTest {
  /** The server's now, on a minute boundary: the query's last bucket ends here. */
  private static final Instant NOW = Instant.ofEpochSecond(System.currentTimeMillis() / 60_000 * 60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(NOW);
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private HttpResponse<String> query(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/api/v1/query"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void query_overMetricsFromTheSdk_returnsGroupsAndValues() throws Exception {
    // SDK time starts five minutes before the server's now; each export is in a later minute.
    long start = NOW.toEpochMilli() - Duration.ofMinutes(5).toMillis();
    SdkClock sdkClock = new SdkClock(start);
    SdkMeterProvider provider = SdkMeterProvider.builder().setClock(sdkClock)
        .setResource(Resource.create(Attributes.of(stringKey("service.name"), "redis")))
        .registerMetricReader(PeriodicMetricReader.builder(OtlpGrpcMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + tocsin.otlpGrpcPort()).build()).setInterval(Duration.ofHours(1)).build())
        .build();
    Meter meter = provider.get("test");
    LongCounter hits = meter.counterBuilder("redis.keyspace.read_hits").build();
    LongCounter misses = meter.counterBuilder("redis.keyspace.read_misses").build();
    DoubleGauge up = meter.gaugeBuilder("redis_up").build();
    Attributes n1 = Attributes.of(stringKey("cluster"), "c1", stringKey("bdb"), "1", stringKey("node"), "n1");

    long[][] perMinute = {{10, 0}, {30, 10}, {45, 5}}; // hits, misses added in minutes 0, 1, 2
    double[] upPerMinute = {1, 1, 0};
    for (int minute = 0; minute < perMinute.length; minute++) {
      sdkClock.advance(Duration.ofSeconds(minute == 0 ? 30 : 60)); // exports at 0:30, 1:30, 2:30
      hits.add(perMinute[minute][0], n1);
      misses.add(perMinute[minute][1], n1);
      up.set(upPerMinute[minute], n1);
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    }

    HttpResponse<String> response = query("""
        {"metrics": ["redis_keyspace_read_hits as $hits", "redis_keyspace_read_misses as $misses", "redis_up as $up"],
         "query": ["group by cluster", "group by bdb", "group by node",
                   "$hits / ($hits + $misses) as hit_rate | $up as up"],
         "interval": "1m", "range": "5m"}""");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("columns").toString()).isEqualTo("[\"hit_rate\",\"up\"]");
    assertThat(body.get("groups")).hasSize(1);
    JsonNode group = body.get("groups").get(0);
    assertThat(group.get("labels").toString()).isEqualTo("{\"bdb\":\"1\",\"cluster\":\"c1\",\"node\":\"n1\"}");
    long minute0 = start;
    // Minute 0 is the stream's first point: it began before the receiver, so it counts 0 and
    // 0/0 has no value. Minute 1: 30 of 40. Minute 2: 45 of 50.
    assertThat(group.get("columns").get("hit_rate").toString())
        .isEqualTo("[[" + (minute0 + 60_000) + ",0.75],[" + (minute0 + 120_000) + ",0.9]]");
    assertThat(group.get("columns").get("up").toString()).isEqualTo(
        "[[" + minute0 + ",1.0],[" + (minute0 + 60_000) + ",1.0],[" + (minute0 + 120_000) + ",0.0]]");
    provider.shutdown();
  }

  @Test
  void queryError_is400WithThePositionAndTheItem() throws Exception {
    HttpResponse<String> response = query("""
        {"metrics": ["hits as $hits"], "query": ["group by node", "$hits / rat($hits)"]}""");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("{\"error\":\"query[1]: line 1:9: unknown function 'rat', did you mean "
        + "'rate'?\",\"item\":\"query[1]\",\"line\":1,\"column\":9}");
  }

  @Test
  void badBodies_are400WithAJsonError() throws Exception {
    assertThat(query("{not json").body()).startsWith("{\"error\":\"request body is not valid JSON: ");
    assertThat(query("[]").body())
        .isEqualTo("{\"error\":\"request body must be a JSON object with \\\"metrics\\\" and \\\"query\\\"\"}");
    assertThat(query("{\"metrics\": []}").body()).isEqualTo("{\"error\":\"\\\"query\\\" is required: a list of strings\"}");
    assertThat(query("{\"query\": [1]}").body())
        .isEqualTo("{\"error\":\"\\\"query\\\" must be a list of strings; found number\"}");
    assertThat(query("{\"query\": [\"1\"], \"interval\": \"soon\"}").body())
        .isEqualTo("{\"error\":\"\\\"interval\\\": invalid duration \\\"soon\\\"; expected e.g. 30s, 5m, 1h30m\"}");
    assertThat(query("{\"query\": [\"1\"], \"interval\": \"1ms\"}").body())
        .isEqualTo("{\"error\":\"interval must be at least 1s, got 1ms\"}");
    assertThat(query("{\"query\": [\"1\"], \"interval\": \"1s\", \"range\": \"1d\"}").body())
        .isEqualTo("{\"error\":\"range / interval gives more than 10000 buckets; use a longer interval or a shorter range\"}");
    assertThat(query("{\"query\": [\"1\"], \"step\": \"1m\"}").body())
        .isEqualTo("{\"error\":\"unknown field \\\"step\\\"; expected metrics, query, interval, range, datasource\"}");
    assertThat(query("{not json").statusCode()).isEqualTo(400);
  }

  @Test
  void constantQuery_hasOneGroupWithoutLabels() throws Exception {
    HttpResponse<String> response = query("{\"query\": [\"1 / 0 as inf | 2 * 3 as six\"], \"range\": \"2m\"}");

    JsonNode group = JSON.readTree(response.body()).get("groups").get(0);
    long first = NOW.toEpochMilli() - 120_000;
    assertThat(group.get("labels").toString()).isEqualTo("{}");
    assertThat(group.get("columns").get("inf").toString())
        .isEqualTo("[[" + first + ",\"+Inf\"],[" + (first + 60_000) + ",\"+Inf\"]]");
    assertThat(group.get("columns").get("six").get(0).get(1).asDouble()).isEqualTo(6);
  }

  @Test
  void unknownRoute_is404Json() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/api/v1/nothing")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("{\"error\":\"not found: GET /api/v1/nothing\"}");
  }
}
