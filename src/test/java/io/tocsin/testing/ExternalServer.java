package io.tocsin.testing;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A real server from a Debian package (Prometheus, VictoriaMetrics) in a child process on a free
 * loopback port, its data in a directory of the test's, ready once a path answers 200. {@link
 * #close} always ends the process, and a shutdown hook does if the JVM exits first. Tests that
 * need one check {@link #installed} first and skip with a printed reason where it is absent.
 */
public final class ExternalServer implements AutoCloseable {
  public static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  public static final Path VICTORIA_METRICS = Path.of("/usr/bin/victoria-metrics");
  public static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");

  private final Process process;
  private final Thread killOnExit;
  private final Path log;
  private final String url;

  private ExternalServer(Process process, Path log, String url) {
    this.process = process;
    this.log = log;
    this.url = url;
    this.killOnExit = new Thread(process::destroyForcibly, "kill-" + log.getFileName());
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  public static boolean installed(Path binary) {
    return Files.isExecutable(binary);
  }

  /**
   * VictoriaMetrics (single node) storing in {@code dir}. Queries see samples at once
   * ({@code -search.latencyOffset=0s}; the default hides the last 30 s), as a test comparing it
   * with Tocsin's store needs; {@code flags} are added.
   */
  public static ExternalServer victoriaMetrics(Path dir, String... flags) throws Exception {
    return victoriaMetrics(dir, Map.of(), flags);
  }

  /** As {@link #victoriaMetrics(Path, String...)}, with {@code environment} added to its process's. */
  public static ExternalServer victoriaMetrics(Path dir, Map<String, String> environment, String... flags)
      throws Exception {
    return start(dir, "victoria-metrics", "/health", environment, port -> {
      List<String> command = new ArrayList<>(List.of(VICTORIA_METRICS.toString(),
          "-storageDataPath=" + dir.resolve("victoria-metrics-data"), "-httpListenAddr=127.0.0.1:" + port,
          "-retentionPeriod=100y", "-search.latencyOffset=0s", "-loggerLevel=ERROR"));
      command.addAll(List.of(flags));
      return command;
    });
  }

  /** Alertmanager with this configuration, clustering off, storing in {@code dir}; {@code flags} are added. */
  public static ExternalServer alertmanager(Path dir, String configYaml, String... flags) throws Exception {
    Path config = Files.writeString(Files.createDirectories(dir).resolve("alertmanager.yml"), configYaml);
    return start(dir, "alertmanager", "/-/ready", Map.of(), port -> {
      List<String> command = new ArrayList<>(List.of(ALERTMANAGER.toString(), "--config.file=" + config,
          "--storage.path=" + dir.resolve("alertmanager-data"), "--cluster.listen-address=",
          "--web.listen-address=127.0.0.1:" + port));
      command.addAll(List.of(flags));
      return command;
    });
  }

  /**
   * Prometheus with this configuration (scrape jobs, {@code remote_write}), storing in {@code dir},
   * its remote-write receiver on ({@code POST /api/v1/write}).
   */
  public static ExternalServer prometheus(Path dir, String configYaml, String... flags) throws Exception {
    Path config = Files.writeString(Files.createDirectories(dir).resolve("prometheus.yml"), configYaml);
    return start(dir, "prometheus", "/-/ready", Map.of(), port -> {
      List<String> command = new ArrayList<>(List.of(PROMETHEUS.toString(), "--config.file=" + config,
          "--storage.tsdb.path=" + prometheusData(dir), "--web.listen-address=127.0.0.1:" + port,
          "--web.enable-remote-write-receiver", "--log.level=warn"));
      command.addAll(List.of(flags));
      return command;
    });
  }

  /** Where {@link #prometheus} keeps its TSDB: blocks written there before the start (promtool) are served. */
  public static Path prometheusData(Path dir) {
    return dir.resolve("prometheus-data");
  }

  public static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  /**
   * Backfills {@code dir}'s Prometheus with OpenMetrics text ({@code promtool tsdb
   * create-blocks-from openmetrics}), before {@link #prometheus} starts: Prometheus has no other
   * way to take old samples than remote write.
   */
  public static void backfillPrometheus(Path dir, String openMetrics) throws Exception {
    Files.createDirectories(dir);
    Path input = Files.writeString(dir.resolve("backfill.om"), openMetrics);
    Process process = new ProcessBuilder(PROMTOOL.toString(), "tsdb", "create-blocks-from", "openmetrics",
        input.toString(), prometheusData(dir).toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("promtool.log").toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new AssertionError("promtool failed: " + Files.readString(dir.resolve("promtool.log")));
    }
  }

  /** Starts {@code name}; the port is free when chosen but may be taken before it binds: tries again then. */
  private static ExternalServer start(Path dir, String name, String readyPath, Map<String, String> environment,
      IntFunction<List<String>> command) throws Exception {
    Files.createDirectories(dir);
    for (int attempt = 1; ; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      Path log = dir.resolve(name + "-" + attempt + ".log");
      ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command.apply(port)))
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(environment);
      Process process = builder.start();
      ExternalServer server = new ExternalServer(process, log, "http://127.0.0.1:" + port);
      try {
        if (server.awaitReady(readyPath, Duration.ofSeconds(60))) {
          return server;
        }
      } catch (Exception | Error e) {
        server.close();
        throw e;
      }
      String output = Files.readString(log);
      server.close();
      if (attempt == 3 || !output.contains("address already in use")) {
        throw new AssertionError(name + " did not become ready; its output:\n" + output);
      }
    }
  }

  private boolean awaitReady(String path, Duration timeout) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(2)).build();
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

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return url;
  }

  public long pid() {
    return process.pid();
  }

  public String output() throws IOException {
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
