package io.tocsin.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo in real time (its buckets are one second): the generated traffic reaches Tocsin over
 * OTLP and the shard-down alert fires for shard n4, then resolves. The scenario is shortened so
 * the test takes seconds, not the demo's minute.
 */
class DemoTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  private JsonNode firing(int port) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/api/v1/alerts?state=firing")).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body()).get("alerts");
  }

  @Test
  void demo_firesTheShardDownAlertForShardN4_thenResolvesIt() throws Exception {
    DemoTraffic.Scenario quick = new DemoTraffic.Scenario(Duration.ofSeconds(2), Duration.ofSeconds(9),
        Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofHours(2));
    try (Demo demo = Demo.start(TestServers.loopbackConfig(dir), dir, Clock.systemUTC(), quick)) {
      int port = demo.tocsin().httpPort();
      List<String> seen = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      boolean fired = false;
      boolean resolved = false;
      while (System.nanoTime() < deadline && !resolved) {
        List<String> now = new ArrayList<>();
        firing(port).forEach(a -> now.add(a.get("monitor").asText() + " " + a.get("labels").get("node").asText()));
        if (!now.isEmpty()) {
          seen.addAll(now);
          fired = true;
        } else if (fired) {
          resolved = true;
        }
        Thread.sleep(200); // polling a real-time service; the logic under test runs on its own clock
      }

      assertThat(fired).as("the shard-down alert fired within 30 s").isTrue();
      assertThat(seen).containsOnly("Redis shard is down n4");
      assertThat(resolved).as("and resolved once n4 came back").isTrue();
    }
  }
}
