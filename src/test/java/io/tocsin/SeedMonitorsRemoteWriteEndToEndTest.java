package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tocsin.store.SeriesSamples;
import io.tocsin.testing.Await;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.TestServers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's two monitors fed by real Prometheus: it scrapes a Redis-exporter-like target every
 * 500 ms and remote-writes to Tocsin, whose scheduler evaluates in real time. Prometheus names
 * the read counters {@code redis_keyspace_read_hits_total} and {@code ..._misses_total} (the
 * OpenTelemetry Collector's Prometheus exporter adds {@code _total} to counters), so the seed's
 * metric names get that suffix here; the labels are the exporter's plus Prometheus' job and
 * instance.
 */
class SeedMonitorsRemoteWriteEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String HITS = "redis_keyspace_read_hits_total";

  @TempDir
  Path dataDir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Long> up = new ConcurrentHashMap<>();
  private final Map<String, Long> hits = new ConcurrentHashMap<>();
  private final Map<String, Long> misses = new ConcurrentHashMap<>();
  private HttpServer target;
  private Tocsin tocsin;
  private ExternalServer prometheus;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(ExternalServer.installed(ExternalServer.PROMETHEUS),
        "skipped: " + ExternalServer.PROMETHEUS + " is not installed (Debian package prometheus)");
    String seed = Files.readString(Path.of("rules/redis.yml"))
        .replace("for_duration: 5m", "for_duration: 5s\n    grouping_interval: 1s\n    evaluation_delay: 3s")
        .replace("redis_keyspace_read_hits as", "redis_keyspace_read_hits_total as")
        .replace("redis_keyspace_read_misses as", "redis_keyspace_read_misses_total as");
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/redis.yml"), seed);
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), Clock.systemUTC());

    for (String node : NODES) {
      up.put(node, node.equals("n2") ? 0L : 1L);
      hits.put(node, 0L);
      misses.put(node, 0L);
    }
    target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext("/metrics", exchange -> {
      byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    target.start();

    prometheus = ExternalServer.prometheus(dataDir.resolve("prometheus"), """
        global:
          scrape_interval: 500ms
          scrape_timeout: 500ms
        scrape_configs:
          - job_name: redis
            static_configs:
              - targets: ['127.0.0.1:%d']
        remote_write:
          - url: http://127.0.0.1:%d/api/v1/write
            queue_config:
              batch_send_deadline: 100ms
              min_backoff: 50ms
              max_backoff: 1s
            metadata_config:
              send_interval: 1s
        """.formatted(target.getAddress().getPort(), tocsin.httpPort()));
  }

  /**
   * The exposition, as a Redis exporter's: every scrape, n1 and n2 serve 90 hits to 10 misses,
   * n3 10 to 90.
   */
  private synchronized String scrape() {
    StringBuilder text = new StringBuilder();
    text.append("# TYPE redis_up gauge\n");
    NODES.forEach(n -> text.append("redis_up").append(labels(n)).append(' ').append(up.get(n)).append('\n'));
    text.append("# TYPE ").append(HITS).append(" counter\n");
    NODES.forEach(n -> text.append(HITS).append(labels(n)).append(' ')
        .append(hits.merge(n, n.equals("n3") ? 10L : 90L, Long::sum)).append('\n'));
    text.append("# TYPE redis_keyspace_read_misses_total counter\n");
    NODES.forEach(n -> text.append("redis_keyspace_read_misses_total").append(labels(n)).append(' ')
        .append(misses.merge(n, n.equals("n3") ? 90L : 10L, Long::sum)).append('\n'));
    return text.toString();
  }

  /** The target restarts: its counters begin again from zero. */
  private synchronized void restartTarget() {
    NODES.forEach(n -> {
      hits.put(n, 0L);
      misses.put(n, 0L);
    });
  }

  private static String labels(String node) {
    return "{cluster=\"c1\",bdb=\"1\",node=\"" + node + "\"}";
  }

  @AfterEach
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (target != null) {
      target.stop(0);
    }
    if (tocsin != null) {
      tocsin.close();
    }
  }

  private JsonNode get(String base, String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private JsonNode firing(String monitorId) throws Exception {
    JsonNode all = get("http://127.0.0.1:" + tocsin.httpPort(), "/api/v1/alerts?state=firing").get("alerts");
    return JSON.valueToTree(StreamSupport.stream(all.spliterator(), false)
        .filter(a -> a.get("monitor_id").asText().equals(monitorId)).toList());
  }

  private List<String> events(String monitorId) throws Exception {
    JsonNode history = get("http://127.0.0.1:" + tocsin.httpPort(), "/api/v1/alerts/history").get("history");
    return StreamSupport.stream(history.spliterator(), false)
        .filter(e -> e.get("monitor_id").asText().equals(monitorId) && !e.has("channel"))
        .map(e -> e.get("type").asText() + " " + e.get("labels").get("node").asText()).toList();
  }

  private <T> T await(String what, Await.Poll<T> poll, Predicate<T> done) throws Exception {
    return Await.until(what, PATIENCE, poll, done);
  }

  /** Prometheus' raw samples of n1's hits counter: time (ms) and value. */
  private List<long[]> scrapedHits() throws Exception {
    String query = URLEncoder.encode(HITS + "{node=\"n1\"}[10m]", StandardCharsets.UTF_8);
    JsonNode result = get(prometheus.url(), "/api/v1/query?query=" + query).get("data").get("result");
    List<long[]> samples = new ArrayList<>();
    if (result.isEmpty()) {
      return samples;
    }
    for (JsonNode pair : result.get(0).get("values")) {
      samples.add(new long[] {Math.round(pair.get(0).asDouble() * 1000), Long.parseLong(pair.get(1).asText())});
    }
    return samples;
  }

  private SeriesSamples storedHits() {
    List<SeriesSamples> stored = tocsin.store().read(HITS, l -> "n1".equals(l.get("node")), 0, Long.MAX_VALUE);
    return stored.isEmpty() ? null : stored.get(0);
  }

  @Test
  void prometheusRemoteWrite_firesAndResolvesTheSeedMonitors_andACounterResetIsNoDrop() throws Exception {
    // n2 is down from the start, so that both monitors pend at once.
    JsonNode hitRate = await("the hit-rate alert", () -> firing("redis-read-hit-rate-75"), a -> a.size() > 0);
    assertThat(hitRate).hasSize(1);
    assertThat(hitRate.get(0).get("labels").toString()).isEqualTo("{\"bdb\":\"1\",\"cluster\":\"c1\",\"node\":\"n3\"}");
    assertThat(hitRate.get(0).get("value").asDouble()).isEqualTo(0.1);
    JsonNode down = await("the shard-down alert", () -> firing("redis-shard-is-down"), a -> a.size() > 0);
    assertThat(down).hasSize(1);
    assertThat(down.get(0).get("labels").toString()).isEqualTo("{\"bdb\":\"1\",\"cluster\":\"c1\",\"node\":\"n2\"}");
    up.put("n2", 1L);
    await("the shard-down alert's resolution", () -> firing("redis-shard-is-down"), JsonNode::isEmpty);
    assertThat(events("redis-shard-is-down")).containsExactly("resolved n2", "firing n2");

    // The target restarts; its counters start again from zero.
    long restartedAfter = System.currentTimeMillis();
    restartTarget();
    await("six scrapes after the restart stored", () -> {
      SeriesSamples s = storedHits();
      return s == null ? 0L : Arrays.stream(s.timesMs()).filter(t -> t > restartedAfter + 500).count();
    }, n -> n >= 6);
    // Every stored increase is what Prometheus scraped, with the drop taken as a reset: the new value.
    List<long[]> scraped = scrapedHits();
    SeriesSamples stored = storedHits();
    assertThat(stored.size()).isLessThanOrEqualTo(scraped.size());
    boolean sawReset = false;
    for (int i = 0; i < stored.size(); i++) {
      assertThat(stored.timesMs()[i]).as("sample %d", i).isEqualTo(scraped.get(i)[0]);
      long value = scraped.get(i)[1];
      long previous = i == 0 ? value : scraped.get(i - 1)[1];
      sawReset |= value < previous;
      double increase = value >= previous ? value - previous : value;
      assertThat(stored.values()[i]).as("increase at sample %d", i).isEqualTo(increase);
    }
    assertThat(sawReset).as("the reset is among the stored samples").isTrue();
    // No false alert from the reset: n1 and n2 never fired, n3 never resolved.
    assertThat(events("redis-read-hit-rate-75")).containsExactly("firing n3");
    assertThat(firing("redis-read-hit-rate-75")).hasSize(1);
  }
}
