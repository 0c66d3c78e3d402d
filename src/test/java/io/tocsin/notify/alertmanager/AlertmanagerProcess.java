package io.tocsin.notify.alertmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) in a child process on
 * a free loopback port, with a minimal configuration that routes everything to a receiver that
 * sends nothing, clustering off and its storage in a directory of the test's. {@link #close}
 * always ends the process, and a shutdown hook does if the JVM exits first.
 */
final class AlertmanagerProcess implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
  private static final String CONFIG = """
      route:
        receiver: "null"
      receivers:
        - name: "null"
      """;

  private final Process process;
  private final Thread killOnExit;
  private final Path log;
  private final String url;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private AlertmanagerProcess(Process process, Path log, String url) {
    this.process = process;
    this.log = log;
    this.url = url;
    this.killOnExit = new Thread(process::destroyForcibly, "kill-alertmanager");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** Starts Alertmanager and returns once {@code /-/ready} answers 200. */
  static AlertmanagerProcess start(Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("alertmanager.yml"), CONFIG);
    // The port is free when chosen but may be taken before Alertmanager binds it: try again then.
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      Path log = dir.resolve("alertmanager-" + attempt + ".log");
      Process process = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
          "--storage.path=" + dir.resolve("data"), "--cluster.listen-address=",
          "--web.listen-address=127.0.0.1:" + port)
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      AlertmanagerProcess alertmanager = new AlertmanagerProcess(process, log, "http://127.0.0.1:" + port);
      try {
        if (alertmanager.awaitReady(Duration.ofSeconds(30))) {
          return alertmanager;
        }
      } catch (Exception | Error e) {
        alertmanager.close();
        throw e;
      }
      String output = Files.readString(log);
      alertmanager.close();
      if (attempt == 3 || !output.contains("address already in use")) {
        throw new AssertionError("Alertmanager did not become ready; its output:\n" + output);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Polls {@code /-/ready}; false when the process ended or time ran out. */
  private boolean awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(url + "/-/ready")).timeout(Duration.ofSeconds(2)).build();
    while (process.isAlive() && System.nanoTime() < deadline) {
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50); // waiting for a process to start, not timing logic
    }
    return false;
  }

  String url() {
    return url;
  }

  /** The alerts Alertmanager holds as not resolved, from {@code GET /api/v2/alerts}. */
  List<JsonNode> alerts() throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v2/alerts")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /api/v2/alerts: HTTP " + response.statusCode() + ": " + response.body());
    }
    List<JsonNode> alerts = new ArrayList<>();
    json.readTree(response.body()).forEach(alerts::add);
    return alerts;
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already; the hook runs anyway
    }
  }
}
