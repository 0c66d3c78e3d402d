package io.tocsin;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.tocsin.testing.Await;
import io.tocsin.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's two monitors, at one-second grouping intervals, fed by the OpenTelemetry SDK over
 * OTLP and evaluated by the real scheduler in real time.
 */
class SeedMonitorsEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir
  Path dataDir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Long> up = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> misses = new ConcurrentHashMap<>();
  private Tocsin tocsin;
  private SdkMeterProvider provider;

  @BeforeEach
  void start() throws Exception {
    String seed = Files.readString(Path.of("rules/redis.yml"))
        .replace("for_duration: 5m", "for_duration: 5s\n    grouping_interval: 1s");
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/redis.yml"), seed);
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), Clock.systemUTC());

    for (String node : NODES) {
      up.put(node, 1L);
      hits.put(node, new AtomicLong());
      misses.put(node, new AtomicLong());
    }
    provider = SdkMeterProvider.builder()
        .setResource(Resource.create(Attributes.of(stringKey("service.name"), "redis-exporter")))
        .registerMetricReader(PeriodicMetricReader.builder(OtlpGrpcMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + tocsin.otlpGrpcPort()).build()).setInterval(Duration.ofMillis(250)).build())
        .build();
    Meter meter = provider.get("redis");
    meter.gaugeBuilder("redis_up").ofLongs().buildWithCallback(m -> NODES.forEach(n -> m.record(up.get(n), shard(n))));
    // Every collection, n1 and n2 serve 90 hits to 10 misses; n3 only 10 to 90.
    meter.counterBuilder("redis.keyspace.read_hits").buildWithCallback(m -> NODES.forEach(n ->
        m.record(hits.get(n).addAndGet(n.equals("n3") ? 10 : 90), shard(n))));
    meter.counterBuilder("redis.keyspace.read_misses").buildWithCallback(m -> NODES.forEach(n ->
        m.record(misses.get(n).addAndGet(n.equals("n3") ? 90 : 10), shard(n))));
  }

  private static Attributes shard(String node) {
    return Attributes.of(stringKey("cluster"), "c1", stringKey("bdb"), "1", stringKey("node"), node);
  }

  @AfterEach
  void stop() {
    provider.close();
    tocsin.close();
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + tocsin.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private JsonNode firing(String monitorId) throws Exception {
    JsonNode all = get("/api/v1/alerts?state=firing").get("alerts");
    return JSON.valueToTree(java.util.stream.StreamSupport.stream(all.spliterator(), false)
        .filter(a -> a.get("monitor_id").asText().equals(monitorId)).toList());
  }

  private JsonNode await(String what, Await.Poll<JsonNode> poll, Predicate<JsonNode> done) throws Exception {
    return Await.until(what, PATIENCE, poll, done);
  }

  @Test
  void shardDown_firesForExactlyThatShardAndResolvesWhenItReturns_andHitRateFiresWhereMissesDominate()
      throws Exception {
    JsonNode hitRate = await("the hit-rate alert", () -> firing("redis-read-hit-rate-75"), a -> a.size() > 0);
    assertThat(hitRate).hasSize(1);
    assertThat(hitRate.get(0).get("labels").toString()).isEqualTo("{\"bdb\":\"1\",\"cluster\":\"c1\",\"node\":\"n3\"}");
    assertThat(hitRate.get(0).get("value").asDouble()).isEqualTo(0.1);
    assertThat(firing("redis-shard-is-down")).isEmpty();

    up.put("n2", 0L);
    JsonNode down = await("the shard-down alert", () -> firing("redis-shard-is-down"), a -> a.size() > 0);
    assertThat(down).hasSize(1);
    assertThat(down.get(0).get("labels").toString()).isEqualTo("{\"bdb\":\"1\",\"cluster\":\"c1\",\"node\":\"n2\"}");
    assertThat(down.get(0).get("fired_at").asLong() - down.get(0).get("active_at").asLong()).isEqualTo(5_000);

    up.put("n2", 1L);
    await("the shard-down alert's resolution", () -> firing("redis-shard-is-down"), JsonNode::isEmpty);
    JsonNode history = get("/api/v1/alerts/history").get("history");
    List<String> shardEvents = java.util.stream.StreamSupport.stream(history.spliterator(), false)
        .filter(e -> e.get("monitor_id").asText().equals("redis-shard-is-down") && !e.has("channel"))
        .map(e -> e.get("type").asText() + " " + e.get("labels").get("node").asText()).toList();
    assertThat(shardEvents).containsExactly("resolved n2", "firing n2");
  }
}
