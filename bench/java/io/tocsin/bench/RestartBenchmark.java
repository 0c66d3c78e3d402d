package io.tocsin.bench;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.ingest.WriterStates;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.Snapshots;
import io.tocsin.store.StoreSettings;
import io.tocsin.store.wal.WalMetrics;
import io.tocsin.store.wal.WalSettings;
import io.tocsin.store.wal.WalSettings.Fsync;
import io.tocsin.store.wal.WriteAheadLog;
import io.tocsin.testing.ScratchDir;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Restart-to-ready figures for the design's target (section 8): a data directory holding a
 * snapshot of N series with one hour of 15 s samples ({@link IngestBenchmark#fill}) plus the
 * write-ahead log of the minute after it (4 samples a series), and the real service started on it
 * in a new JVM ({@code io.tocsin.cli.Main serve}, as a user runs it, no rules): the wall time from
 * starting the process until {@code GET /-/ready} answers 200, where that time went (from the
 * service's own log lines), and the process' resident memory once ready. The files are in the
 * page cache, as after a restart (not a reboot). Prints, never asserts.
 *
 * <p>Run with {@code bench/run restart [series...]}; the service gets the benchmark's JVM options
 * (heap: {@code BENCH_HEAP}), or each of the flag sets {@code -Drestart.jvm="flags; flags..."}
 * names in turn, each started on its own copy of the same files (e.g. the Dockerfile's flags beside
 * the JVM's defaults, without filling the store twice). With {@code -Drestart.data=DIR} the
 * filled files are kept in {@code DIR/<series>} and used again by the next run (while their hour
 * is still inside the 2 h window): a profile of the restart alone, without the three minutes of
 * filling each time.
 */
public final class RestartBenchmark {
  private static final Duration READY_DEADLINE = Duration.ofMinutes(5);

  public static void main(String[] args) throws Exception {
    List<Integer> seriesCounts = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("-Drestart.")) { // bench/run passes arguments, not JVM options
        int equals = arg.indexOf('=');
        System.setProperty(arg.substring(2, equals), arg.substring(equals + 1));
      } else {
        seriesCounts.add(Integer.parseInt(arg.replace("_", "")));
      }
    }
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    for (int series : seriesCounts.isEmpty() ? List.of(100_000, 1_000_000) : seriesCounts) {
      run(series);
    }
  }

  static void run(int series) throws Exception {
    System.out.printf(Locale.ROOT, "%nrestart: %,d series x 1 h of 15 s samples in a snapshot, 1 min more in the log...%n",
        series);
    String kept = System.getProperty("restart.data");
    try (ScratchDir scratch = ScratchDir.create("tocsin-restart-bench")) {
      Path work = scratch.path();
      Path data = kept == null ? work.resolve("data") : Path.of(kept, Integer.toString(series));
      if (kept == null) {
        prepare(data, series);
      } else if (!Files.isDirectory(data)) {
        Path partial = data.resolveSibling(series + ".partial");
        prepare(partial, series);
        Files.move(partial, data); // only whole files are used again
      } else {
        System.out.printf(Locale.ROOT, "restart: the files of an earlier run in %s%n", data);
      }
      System.gc(); // the service's JVM shares the machine
      for (List<String> flags : serviceFlags()) {
        Path run = Files.createDirectory(work.resolve("run-" + System.nanoTime()));
        copy(data, run.resolve("data"));
        System.out.printf(Locale.ROOT, "restart: JVM flags %s%n", String.join(" ", flags));
        serve(run, series, flags);
        ScratchDir.delete(run);
      }
    }
  }

  /** The JVM flag sets to start the service with: {@code restart.jvm}'s, else this JVM's. */
  private static List<List<String>> serviceFlags() {
    String sets = System.getProperty("restart.jvm");
    if (sets == null) {
      return List.of(ManagementFactory.getRuntimeMXBean().getInputArguments());
    }
    List<List<String>> all = new ArrayList<>();
    for (String set : sets.split(";")) {
      all.add(set.isBlank() ? List.of() : List.of(set.trim().split("\\s+")));
    }
    return all;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }

  /**
   * Fills a store with the hour up to a minute ago, snapshots it as a running service does (a
   * log segment cut first), then writes the last minute through the log after it.
   */
  private static void prepare(Path dataDir, int series) throws IOException, InterruptedException {
    long started = System.nanoTime();
    long snapshotEndMs = System.currentTimeMillis() - Duration.ofMinutes(1).toMillis();
    SeriesStore store = new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(2), series, series));
    IngestBenchmark.fill(store, series, snapshotEndMs - Duration.ofHours(1).toMillis() + IngestBenchmark.STEP_MS,
        snapshotEndMs);
    System.out.printf(Locale.ROOT, "restart: filled in %.1f s%n", (System.nanoTime() - started) / 1e9);
    WriteAheadLog wal = WriteAheadLog.open(dataDir.resolve("wal"), WalSettings.DEFAULT.withFsync(Fsync.OFF),
        WriterStates.CODEC, new WalMetrics(new PrometheusRegistry()), 1, Map.of());
    store.attachLog(wal);
    Snapshots.Written written = new Snapshots(dataDir, WriterStates.CODEC, Clock.systemUTC())
        .write(store, wal.cutSegment());
    IngestBenchmark.fill(store, series, snapshotEndMs + IngestBenchmark.STEP_MS,
        snapshotEndMs + 4 * IngestBenchmark.STEP_MS);
    wal.commit();
    wal.close();
    System.out.printf(Locale.ROOT,
        "restart: snapshot %,d series, %,d samples, %,d MiB; write-ahead log %,d MiB in %d segments%n",
        written.series(), written.samples(), written.bytes() >> 20, bytes(dataDir.resolve("wal")) >> 20,
        segments(dataDir.resolve("wal")));
  }

  /** Starts the service on {@code work/data}, waits for /-/ready, reports, and kills it. */
  private static void serve(Path work, int series, List<String> flags) throws Exception {
    int httpPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      httpPort = socket.getLocalPort(); // free now; the service binds it a moment later
    }
    Path config = work.resolve("tocsin.yml");
    Files.writeString(config, """
        data_dir: data
        rule_files: []
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:%d"}
        limits: {max_series: %d, max_series_per_metric: %d}
        store: {retention: 2h}
        """.formatted(httpPort, Math.max(series, 2_000_000), series));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tocsin.cli.Main", "serve", "--config",
        config.toString()));

    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/-/ready")).build();
    List<String> lines = new CopyOnWriteArrayList<>();
    Instant startedAt = Instant.now();
    long started = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(lines::add);
      } catch (IOException e) {
        // the process ended
      }
    });
    reader.start();
    try {
      long readyNanos = 0;
      while (readyNanos == 0) {
        if (!process.isAlive() || System.nanoTime() - started > READY_DEADLINE.toNanos()) {
          throw new IllegalStateException("the service did not become ready; output: " + lines);
        }
        try {
          if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            readyNanos = System.nanoTime() - started;
          }
        } catch (ConnectException e) {
          // not listening yet
        }
        if (readyNanos == 0) {
          Thread.sleep(10);
        }
      }
      System.out.printf(Locale.ROOT, "restart: %,d series: /-/ready answered 200 %.2f s after the process started;"
          + " resident memory %s%n", series, readyNanos / 1e9, residentMemory(process.pid()));
      for (String line : lines) {
        if (line.contains("loaded snapshot") || line.contains("write-ahead log: recovered")
            || line.contains("Tocsin is ready") || line == lines.get(0)) {
          System.out.printf(Locale.ROOT, "restart:   at %5.2f s: %s%n", secondsAfter(startedAt, line), line);
        }
      }
    } finally {
      process.destroyForcibly(); // a graceful stop would write a snapshot first; nothing needs it
      process.waitFor();
      reader.join(5_000);
    }
  }

  /** Seconds from {@code start} to the time a log line begins with, NaN when it has none. */
  private static double secondsAfter(Instant start, String line) {
    int space = line.indexOf(' ');
    try {
      return Duration.between(start, Instant.parse(space < 0 ? line : line.substring(0, space))).toMillis() / 1e3;
    } catch (DateTimeParseException e) {
      return Double.NaN;
    }
  }

  /** VmRSS and its peak VmHWM from /proc (Linux), or "unknown". */
  private static String residentMemory(long pid) {
    try {
      String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
      String rss = "?";
      String peak = "?";
      for (String line : status.split("\n")) {
        if (line.startsWith("VmRSS:")) {
          rss = line.substring(6).trim();
        } else if (line.startsWith("VmHWM:")) {
          peak = line.substring(6).trim();
        }
      }
      return rss + " (peak " + peak + ")";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static long bytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      long sum = 0;
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        sum += Files.size(p);
      }
      return sum;
    }
  }

  private static long segments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".seg")).count();
    }
  }
}
