package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, started as a newcomer would, answers on its ports and stops on SIGTERM. */
class ServeCommandIT {
  private static final Pattern HTTP_PORT = Pattern.compile("REST API and /metrics listening on 127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path dir;

  @Test
  void serve_startsListensAndShutsDownGracefullyOnSigterm() throws Exception {
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, """
        data_dir: state
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        api: {token: "${IT_TOKEN:-}"}
        """);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-jar", System.getProperty("tocsin.jar"), "serve", "--config", config.toString())
        .redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(lines::add);
      } catch (java.io.IOException e) {
        // the process ended
      }
    });
    reader.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (lines.stream().noneMatch(l -> l.contains("Tocsin is ready")) && System.nanoTime() < deadline) {
        assertThat(process.isAlive()).as("still running; output so far: %s", lines).isTrue();
        Thread.sleep(50);
      }
      int port = lines.stream().map(HTTP_PORT::matcher).filter(Matcher::find)
          .mapToInt(m -> Integer.parseInt(m.group(1))).findFirst().orElseThrow();
      HttpResponse<String> ready = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(Files.isDirectory(dir.resolve("state"))).as("data dir created").isTrue();
    } finally {
      process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
      reader.join(5000);
    }
    assertThat(process.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    assertThat(lines).anyMatch(l -> l.contains("OTLP/gRPC listening on 127.0.0.1:"))
        .anyMatch(l -> l.contains("OTLP/HTTP listening on 127.0.0.1:"))
        .anyMatch(l -> l.contains("shutting down"))
        .anyMatch(l -> l.endsWith("stopped"));
  }
}
