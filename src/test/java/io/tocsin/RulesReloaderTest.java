package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.LogCapture;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload triggers on a running Tocsin: the rule file watcher and {@code POST /-/reload}. */
class RulesReloaderTest {
  private static final String MONITOR = """
        - name: %s
          metrics: [redis_up as $up]
          query: [group by node, $up]
          min_allowed_value: 1
          for_duration: 1m
      """;

  @TempDir
  Path dataDir;

  private final HttpClient http = HttpClient.newHttpClient();

  private static String rules(String... names) {
    StringBuilder yaml = new StringBuilder("monitors:\n");
    for (String name : names) {
      yaml.append(MONITOR.formatted(name));
    }
    return yaml.toString();
  }

  private HttpResponse<String> postReload(Tocsin tocsin) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/-/reload"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> loads(LogCapture log) {
    return log.messages().stream().filter(m -> m.startsWith("INFO loaded ")).toList();
  }

  @Test
  void fileChangeAndPostReloadTogether_reloadOnce() throws Exception {
    Path ruleFile = dataDir.resolve("rules/redis.yml");
    Files.createDirectories(ruleFile.getParent());
    Files.writeString(ruleFile, rules("One"));
    try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), new MutableClock(Instant.now()));
        LogCapture log = LogCapture.of(RulesReloader.class)) {
      // Connected beforehand, so that the POST arrives while the watcher waits for the writes to settle.
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/-/healthy"))
          .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      Files.writeString(ruleFile, rules("One", "Two"));
      HttpResponse<String> response = postReload(tocsin);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"monitors\":2");
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (log.messages().stream().noneMatch(m -> m.startsWith("INFO rule files changed"))
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(log.messages()).contains("INFO rule files changed; a reload since has read them");
      assertThat(loads(log)).containsExactly("INFO loaded 2 monitors and 0 channels from 1 rule files");
      assertThat(tocsin.engine().size()).isEqualTo(2);
    }
  }
}
