package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.testing.JarProcess;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, started as a newcomer would, answers on its ports and stops on SIGTERM. */
class ServeCommandIT {
  private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)";

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
    int exit;
    JarProcess jar = JarProcess.serve(config);
    try {
      HttpResponse<String> ready = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + jar.httpPort() + "/-/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(Files.isDirectory(dir.resolve("state"))).as("data dir created").isTrue();
    } finally {
      exit = jar.terminate();
    }
    assertThat(exit).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    assertThat(jar.lines()).anyMatch(l -> l.contains("OTLP/gRPC listening on 127.0.0.1:"))
        .anyMatch(l -> l.contains("OTLP/HTTP listening on 127.0.0.1:"))
        .anyMatch(l -> l.contains("shutting down"))
        .anyMatch(l -> l.endsWith("stopped"));
    // The text format: time with its offset, level padded to five, the logger's simple name, the message.
    assertThat(jar.lines()).anyMatch(l -> l.matches(TIME + " INFO  \\[ServeCommand\\] Tocsin is ready"));
  }

  @Test
  void serve_withLogLevelDebug_logsTocsinsDebugLines_andLibrariesStillOnlyFromWarn() throws Exception {
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, """
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        """);
    JarProcess jar = JarProcess.serve(config, Map.of("TOCSIN_LOG_LEVEL", "DEBUG"));
    try {
      // A remote-write body that ends early is a DEBUG line (the client went away; nothing to answer).
      try (Socket client = new Socket("127.0.0.1", jar.httpPort())) {
        client.getOutputStream().write(("POST /api/v1/write HTTP/1.1\r\nHost: tocsin\r\n"
            + "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\nContent-Length: 1000\r\n\r\n"
            + "only ten b").getBytes(StandardCharsets.US_ASCII));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (jar.lines().stream().noneMatch(l -> l.contains("body broke off")) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      jar.terminate();
      assertThat(jar.lines()).anyMatch(l -> l.matches(
          TIME + " DEBUG \\[RemoteWriteReceiver\\] remote-write request body broke off: .*"));
      // Jetty, gRPC and JGroups would say a great deal at DEBUG; they stay at WARN.
      assertThat(jar.lines()).filteredOn(l -> l.contains(" DEBUG ")).allMatch(l -> l.contains("[RemoteWriteReceiver]"));
    } finally {
      jar.close();
    }
  }

  @Test
  void serve_withJsonLogs_writesOneJsonObjectPerLine() throws Exception {
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, """
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        """);
    JarProcess jar = JarProcess.serve(config, Map.of("TOCSIN_LOG_FORMAT", "json"));
    jar.terminate();

    ObjectMapper json = new ObjectMapper();
    assertThat(jar.lines()).isNotEmpty().allSatisfy(line -> {
      JsonNode event = json.readTree(line);
      assertThat(event.get("level").asText()).isIn("INFO", "WARN", "ERROR");
      assertThat(event.has("loggerName")).isTrue();
      assertThat(event.has("timestamp")).isTrue();
    });
    assertThat(jar.lines()).anyMatch(l -> l.contains("\"formattedMessage\":\"Tocsin is ready\""));
  }
}
