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

  /**
   * Read from the alert history, not by polling the current alerts: a loaded machine may evaluate
   * late, and the history still has every transition. n4 stays down 15 s, three times what firing
   * takes, so a slow start leaves time to fire.
   */
  @Test
  void demo_firesTheShardDownAlertForShardN4_thenResolvesIt() throws Exception {
    DemoTraffic.Scenario quick = new DemoTraffic.Scenario(Duration.ofSeconds(2), Duration.ofSeconds(15),
        Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofHours(2));
    try (Demo demo = Demo.start(TestServers.loopbackConfig(dir), dir, Clock.systemUTC(), quick)) {
      int port = demo.tocsin().httpPort();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<String> transitions = transitions(port);
      while (System.nanoTime() < deadline && !transitions.contains("resolved Redis shard is down n4")) {
        Thread.sleep(200); // polling a real-time service; the logic under test runs on its own clock
        transitions = transitions(port);
      }

      assertThat(transitions).as("fired, then resolved once n4 came back, within 60 s")
          .containsExactly("firing Redis shard is down n4", "resolved Redis shard is down n4");
    }
  }

  /** The lifecycle events in the history, oldest first, as "type monitor node". */
  private List<String> transitions(int port) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/api/v1/alerts/history?limit=1000")).build(),
        HttpResponse.BodyHandlers.ofString());
    List<String> transitions = new ArrayList<>();
    for (JsonNode e : JSON.readTree(response.body()).get("history")) {
      if (!e.has("channel")) {
        transitions.add(0, e.get("type").asText() + " " + e.get("monitor").asText() + " "
            + e.get("labels").path("node").asText());
      }
    }
    return transitions;
  }
}
