package io.tocsin.cli;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.tocsin.testing.JarProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 while an alert fires: the restarted process still fires it, and does not fire it again. */
class CrashRecoveryIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static SdkMeterProvider shardDown(int grpcPort) {
    SdkMeterProvider provider = SdkMeterProvider.builder()
        .registerMetricReader(PeriodicMetricReader.builder(OtlpGrpcMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + grpcPort).build()).setInterval(Duration.ofMillis(250)).build())
        .build();
    provider.get("it").gaugeBuilder("redis_up").ofLongs()
        .buildWithCallback(m -> m.record(0, Attributes.of(stringKey("node"), "n1")));
    return provider;
  }

  private static JsonNode get(JarProcess jar, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jar.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /** Lifecycle events; delivery entries (which name a channel) are left out. */
  private static List<String> history(JarProcess jar) throws Exception {
    return StreamSupport.stream(get(jar, "/api/v1/alerts/history").get("history").spliterator(), false)
        .filter(e -> !e.has("channel")).map(e -> e.get("type").asText()).toList();
  }

  /** When the only monitor was last evaluated, epoch ms; 0 before its first evaluation. */
  private static long lastEvaluation(JarProcess jar) throws Exception {
    return get(jar, "/api/v1/monitors").get("monitors").get(0).path("last_evaluation").asLong(0);
  }

  private static final Pattern FIRING_SAVED = Pattern.compile("\"state\"\\s*:\\s*\"firing\"");

  @Test
  void killedWhileFiring_restartsFiringWithoutFiringAgain() throws Exception {
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(dir.resolve("rules/down.yml"), """
        monitors:
          - name: Shard is down
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            grouping_interval: 2s
            for_duration: 4s
        """);
    // With 2 s buckets a group without data is dropped after 10 s: room for a slow restart on a busy machine.
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, """
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        """);

    try (JarProcess first = JarProcess.serve(config)) {
      SdkMeterProvider provider = shardDown(first.grpcPort());
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (get(first, "/api/v1/alerts?state=firing").get("alerts").isEmpty()) {
          assertThat(System.nanoTime()).as("firing in time").isLessThan(deadline);
          Thread.sleep(100);
        }
        // Killed only once the firing state is on disk: a fixed pause lost that race on a busy machine.
        Path stateFile = dir.resolve("data/state.json");
        while (!Files.exists(stateFile) || !FIRING_SAVED.matcher(Files.readString(stateFile)).find()) {
          assertThat(System.nanoTime()).as("firing state saved in time").isLessThan(deadline);
          Thread.sleep(50);
        }
        first.kill();
      } finally {
        provider.shutdown();
      }
    }

    try (JarProcess second = JarProcess.serve(config)) {
      JsonNode alerts = get(second, "/api/v1/alerts?state=firing").get("alerts");
      assertThat(alerts).as("restored as firing").hasSize(1);
      assertThat(alerts.get(0).get("labels").toString()).isEqualTo("{\"node\":\"n1\"}");
      long evaluatedBefore = System.currentTimeMillis();
      SdkMeterProvider provider = shardDown(second.grpcPort());
      try {
        // Data flows again: two more evaluations (two 2 s buckets) must not fire the alert again.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (lastEvaluation(second) < evaluatedBefore + 4_000) {
          assertThat(System.nanoTime()).as("evaluated twice more in time").isLessThan(deadline);
          Thread.sleep(100);
        }
      } finally {
        provider.shutdown();
      }
      assertThat(get(second, "/api/v1/alerts?state=firing").get("alerts")).hasSize(1);
      assertThat(history(second)).containsExactly("firing");
      second.terminate();
    }
  }
}
