package io.tocsin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.query.promql.PromQlTranslator;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.JarProcess;
import io.tocsin.testing.ScratchDir;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Tocsin beside VictoriaMetrics (Debian's {@code victoria-metrics}), each in its own process on
 * loopback, fed the same Prometheus remote-write requests ({@link RedisRemoteWrite}), and one
 * table with a column per system. Tocsin runs as a user runs it ({@code serve} with the seed's
 * monitors, write-ahead log on) with {@link #DEFAULT_JVM_FLAGS} unless {@code -Dversus.jvm} says
 * otherwise, and always with the image's {@link #ENVIRONMENT}. See bench/README.md for what each row means.
 *
 * <p>Run with {@code bench/run versus [series...]} (each count gets every row) or
 * {@code bench/run versus ingest=10000,100000 memory=100000,1000000} (the defaults); options as
 * arguments: {@code -Dversus.jvm="..."} (Tocsin's JVM flags), {@code -Dversus.samples=3000000}
 * (measured per ingest row; warm-up passes are half as many), {@code -Dversus.rounds=60} (samples
 * per series in the memory rows), {@code -Dversus.histograms=DIR} (Tocsin's class histogram at
 * each heap measurement of the memory rows, written to DIR).
 */
public final class VersusBenchmark {
  /**
   * The Dockerfile's flags (README "Sizing") as they act in a container limited to 3 GiB: the JVM
   * sizes its heap from {@code MaxRAM} as from a container's limit (at most 70%, 2.1 GiB; at first
   * 1/64, 48 MiB), where on this machine it would size it from all of its memory.
   */
  public static final String DEFAULT_JVM_FLAGS = "-XX:MaxRAM=3g -XX:+UseSerialGC -XX:MaxNewSize=32m"
      + " -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=1000 -XX:FreqInlineSize=150"
      + " -XX:MaxRAMPercentage=70";
  /** The Dockerfile's environment for the JVM (README "Sizing"), with any JVM flags. */
  public static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");
  /** Warm-up passes end when Tocsin's JIT compilers used less than this share of its CPU in one. */
  static final double JIT_QUIET = 0.05;
  static final int MAX_WARMUP_PASSES = 8;
  private static final Path SEED_RULES = Path.of("rules/redis.yml").toAbsolutePath();
  private static final Map<String, MetricKind> COUNTERS = Map.of(
      "redis_keyspace_read_hits", MetricKind.COUNTER, "redis_keyspace_read_misses", MetricKind.COUNTER);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String[]> rows = new LinkedHashMap<>();
  private final List<String> jvmFlags;
  private final Path dir;

  private VersusBenchmark(List<String> jvmFlags, Path dir) {
    this.jvmFlags = jvmFlags;
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    if (!ExternalServer.installed(ExternalServer.VICTORIA_METRICS)) {
      System.out.println("versus: VictoriaMetrics is not installed at " + ExternalServer.VICTORIA_METRICS
          + "; install it with: sudo apt-get install victoria-metrics");
      return;
    }
    List<Integer> ingest = new ArrayList<>(List.of(10_000, 100_000));
    List<Integer> memory = new ArrayList<>(List.of(100_000, 1_000_000));
    boolean plain = false;
    for (String arg : args) {
      if (arg.startsWith("-D") && arg.contains("=")) { // bench/run passes arguments, not JVM options
        System.setProperty(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
      } else if (arg.startsWith("ingest=")) {
        ingest = counts(arg.substring(7));
      } else if (arg.startsWith("memory=")) {
        memory = counts(arg.substring(7));
      } else {
        if (!plain) {
          ingest = new ArrayList<>();
          memory = new ArrayList<>();
          plain = true;
        }
        ingest.addAll(counts(arg));
        memory.addAll(counts(arg));
      }
    }
    List<String> flags = List.of(System.getProperty("versus.jvm", DEFAULT_JVM_FLAGS).trim().split("\\s+"));
    System.out.printf(Locale.ROOT, "versus: java %s, %d cores; Tocsin JVM flags: %s; environment: %s; load: %s%n",
        Runtime.version(), Runtime.getRuntime().availableProcessors(), String.join(" ", flags), ENVIRONMENT, load());
    try (ScratchDir dir = ScratchDir.create("tocsin-versus")) {
      VersusBenchmark bench = new VersusBenchmark(flags, dir.path());
      for (int series : ingest) {
        bench.ingest(series);
      }
      for (int series : memory) {
        bench.memory(series);
      }
      bench.print();
    }
  }

  private static List<Integer> counts(String list) {
    return Arrays.stream(list.split(",")).filter(s -> !s.isBlank())
        .map(s -> Integer.parseInt(s.replace("_", "").trim())).toList();
  }

  // --- ingest --------------------------------------------------------------------------------

  /**
   * Samples/s and CPU seconds of each system for the same pre-encoded requests, after a warm-up
   * of the same kind; each system is measured alone (the other idles).
   *
   * <p>The warm-up runs in passes of half the measured samples until Tocsin's JIT compilers used
   * under {@link #JIT_QUIET} of its CPU in a pass (at least two passes, at most {@link
   * #MAX_WARMUP_PASSES}), and VictoriaMetrics gets as many passes of the same requests. With a
   * fixed warm-up, the JIT was still compiling the hot code through much of the measured requests
   * on a loaded machine (a third of Tocsin's CPU at times), a cost a server pays once in its first
   * minutes, not per sample; the measured row prints what it still took.
   */
  private void ingest(int series) throws Exception {
    RedisRemoteWrite feed = new RedisRemoteWrite(series);
    long samples = Long.getLong("versus.samples", 3_000_000);
    int passRounds = (int) Math.max(1, (samples / 2 + feed.series() - 1) / feed.series());
    int measured = (int) Math.max(2, (samples + feed.series() - 1) / feed.series());
    int measuredFrom = MAX_WARMUP_PASSES * passRounds;
    // Every sample within Tocsin's window (1 h), and in the past, however long the warm-up.
    long stepMs = Math.min(15_000, Duration.ofMinutes(50).toMillis() / (measuredFrom + measured));
    long startMs = System.currentTimeMillis() - (measuredFrom + measured) * stepMs - 60_000;
    List<List<byte[]>> work = encode(feed, measuredFrom, measuredFrom + measured, startMs, stepMs);
    long total = (long) feed.series() * measured;
    System.out.printf(Locale.ROOT, "%nversus: ingest, %,d series: warm-up passes of %,d samples, %,d measured"
        + " (%s apart)%n", feed.series(), (long) feed.series() * passRounds, total, Duration.ofMillis(stepMs));
    try (Systems systems = start(feed.series())) {
      Warmup warmup = new Warmup(feed, passRounds, startMs, stepMs);
      int passes = warmup.run("tocsin", systems.tocsin.pid(), systems.tocsinWrite(), 0);
      double[] tocsin = measureIngest("tocsin", systems.tocsin.pid(), true, systems.tocsinWrite(), work, total);
      warmup.run("victoria-metrics", systems.vm.pid(), systems.vmWrite(), passes);
      double[] vm = measureIngest("victoria-metrics", systems.vm.pid(), false, systems.vmWrite(), work, total);
      String at = String.format(Locale.ROOT, "%,d series", feed.series());
      row("ingest, " + at + " (samples/s)", vm[0], tocsin[0], "%,.0f", true);
      row("ingest CPU, " + at + " (CPU-s per 1M samples)", vm[1] * 1e6 / total, tocsin[1] * 1e6 / total, "%.2f", false);
      row("peak RSS during ingest, " + at + " (MB)", ProcessStats.peakRss(systems.vm.pid()) / 1e6,
          ProcessStats.peakRss(systems.tocsin.pid()) / 1e6, "%,.0f", false);
    }
  }

  /** Warm-up passes of {@code passRounds} rounds each, the same requests for both systems. */
  private record Warmup(RedisRemoteWrite feed, int passRounds, long startMs, long stepMs) {
    /**
     * Sends {@code passes} passes, or (0) passes until the JVM {@code pid}'s JIT is quiet;
     * returns how many were sent.
     */
    int run(String name, long pid, String url, int passes) throws Exception {
      int limit = passes > 0 ? passes : MAX_WARMUP_PASSES;
      for (int pass = 0; pass < limit; pass++) {
        List<List<byte[]>> requests = encode(feed, pass * passRounds, (pass + 1) * passRounds, startMs, stepMs);
        double cpu0 = ProcessStats.cpuSeconds(pid);
        double jit0 = passes > 0 ? 0 : ProcessStats.jvmCpuSeconds(pid).get("JIT");
        RedisRemoteWrite.send(1, (c, part) -> requests.get(c), url);
        if (passes == 0) {
          double share = (ProcessStats.jvmCpuSeconds(pid).get("JIT") - jit0) / (ProcessStats.cpuSeconds(pid) - cpu0);
          System.out.printf(Locale.ROOT, "versus: %s: warm-up pass %d, JIT %.0f%% of its CPU%n", name, pass + 1,
              100 * share);
          if (pass > 0 && share < JIT_QUIET) {
            return pass + 1;
          }
        }
      }
      return limit;
    }
  }

  private static double[] measureIngest(String name, long pid, boolean jvm, String url, List<List<byte[]>> work,
      long samples) throws Exception {
    double cpu0 = ProcessStats.cpuSeconds(pid);
    Map<String, Double> threads0 = jvm ? ProcessStats.jvmCpuSeconds(pid) : null;
    long t0 = System.nanoTime();
    RedisRemoteWrite.send(1, (c, part) -> work.get(c), url);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = ProcessStats.cpuSeconds(pid) - cpu0;
    String split = "";
    if (jvm) {
      StringBuilder threads = new StringBuilder();
      ProcessStats.jvmCpuSeconds(pid).forEach((group, used) -> threads.append(String.format(Locale.ROOT,
          "%s %s %.2f", threads.length() == 0 ? ", of which" : ",", group, used - threads0.get(group))));
      split = threads.toString();
    }
    System.out.printf(Locale.ROOT, "versus: %s: %,.0f samples/s (%.2f s, %.2f CPU-s%s; load %s)%n", name,
        samples / seconds, seconds, cpu, split, load());
    return new double[] {samples / seconds, cpu};
  }

  private static List<List<byte[]>> encode(RedisRemoteWrite feed, int from, int to, long startMs, long stepMs) {
    return IntStream.range(0, RedisRemoteWrite.CONNECTIONS).parallel()
        .mapToObj(c -> feed.requests(c, from, to, startMs, stepMs)).toList();
  }

  // --- memory and evaluation -----------------------------------------------------------------

  /** A line of Go's GC trace ({@code GODEBUG=gctrace=1}): the collection's number and the live heap it marked, in MiB. */
  private static final Pattern GC_TRACE = Pattern.compile("(?m)^gc (\\d+) @[^\\n]*?, \\d+->\\d+->(\\d+) MB[^\\n]*");

  /** One collection in Go's GC trace: its number, the live heap it marked, whether it was forced (not the pacer's). */
  private record GcTrace(long number, long liveBytes, boolean forced) {}

  /**
   * VictoriaMetrics' live heap after a full collection, in bytes: its pprof heap handler runs one
   * for {@code gc=1}, as {@code jcmd GC.run} does in Tocsin, and its GC trace tells what that
   * collection marked, the objects reachable when it ended (MiB steps). {@code
   * go_memstats_heap_inuse_bytes} would also count the garbage made since the last collection:
   * VictoriaMetrics lets its heap grow by its GOGC, {@code vm_gogc} in its {@code /metrics}, 30% on
   * this machine, before it collects.
   */
  private static long vmLiveHeap(ExternalServer vm) throws Exception {
    List<GcTrace> before = gcTrace(vm);
    long last = before.isEmpty() ? -1 : before.get(before.size() - 1).number();
    HttpResponse<Void> answer = HTTP.send(HttpRequest.newBuilder(URI.create(vm.url() + "/debug/pprof/heap?gc=1"))
        .build(), HttpResponse.BodyHandlers.discarding());
    if (answer.statusCode() != 200) {
      throw new IllegalStateException("VictoriaMetrics answered " + answer.statusCode() + " to a forced GC");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) { // the runtime may print the trace line just after the answer
      for (GcTrace gc : gcTrace(vm)) {
        if (gc.number() > last && gc.forced()) {
          return gc.liveBytes();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no forced collection in VictoriaMetrics' GC trace within 30 s");
      }
      Thread.sleep(100);
    }
  }

  private static List<GcTrace> gcTrace(ExternalServer vm) throws IOException {
    List<GcTrace> trace = new ArrayList<>();
    Matcher m = GC_TRACE.matcher(vm.output());
    while (m.find()) {
      trace.add(new GcTrace(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) << 20,
          m.group().endsWith("(forced)")));
    }
    return trace;
  }

  /**
   * 60 samples per series, 15 s apart, ending now, into both (each request to one, then the
   * other); memory growth over the idle start, after a full GC for Tocsin; then the time of the
   * seed monitors' cycle over that data.
   */
  private void memory(int series) throws Exception {
    RedisRemoteWrite feed = new RedisRemoteWrite(series);
    int rounds = Integer.getInteger("versus.rounds", 60);
    long stepMs = 15_000;
    System.out.printf(Locale.ROOT, "%nversus: memory, %,d series x %d samples%n", feed.series(), rounds);
    try (Systems systems = start(feed.series())) {
      long tocsinRss0 = ProcessStats.rss(systems.tocsin.pid());
      long tocsinHeap0 = ProcessStats.heapAfterGc(systems.tocsin.pid());
      saveHistogram(systems, feed.series(), "idle");
      tocsinRss0 = Math.min(tocsinRss0, ProcessStats.rss(systems.tocsin.pid()));
      long vmRss0 = ProcessStats.rss(systems.vm.pid());
      double vmHeap0 = ProcessStats.metric(systems.vm.url() + "/metrics", "go_memstats_heap_inuse_bytes");
      long vmLive0 = vmLiveHeap(systems.vm);
      long startMs = System.currentTimeMillis() - rounds * stepMs;
      long t0 = System.nanoTime();
      RedisRemoteWrite.send(rounds, (c, r) -> feed.requests(c, r, r + 1, startMs, stepMs),
          systems.tocsinWrite(), systems.vmWrite());
      long loadedMs = System.currentTimeMillis();
      System.out.printf(Locale.ROOT, "versus: %,d samples written to both in %.1f s (load %s)%n",
          (long) feed.series() * rounds, (System.nanoTime() - t0) / 1e9, load());
      HTTP.send(HttpRequest.newBuilder(URI.create(systems.vm.url() + "/internal/force_flush")).build(),
          HttpResponse.BodyHandlers.discarding());
      long tocsinLoaded = ProcessStats.rss(systems.tocsin.pid()) - tocsinRss0;
      long vmLoaded = ProcessStats.rss(systems.vm.pid()) - vmRss0;
      long tocsinHeap = ProcessStats.heapAfterGc(systems.tocsin.pid()) - tocsinHeap0;
      saveHistogram(systems, feed.series(), "loaded");
      long tocsinRss = ProcessStats.rss(systems.tocsin.pid()) - tocsinRss0;
      double vmHeapInUse = ProcessStats.metric(systems.vm.url() + "/metrics", "go_memstats_heap_inuse_bytes") - vmHeap0;
      long vmHeap = vmLiveHeap(systems.vm) - vmLive0;
      long vmRss = ProcessStats.rss(systems.vm.pid()) - vmRss0;
      System.out.printf(Locale.ROOT, "versus: growth: Tocsin RSS %,d MB, heap %,d MB; VictoriaMetrics RSS %,d MB,"
          + " Go live heap after a forced GC %,d MB (Go heap in use before it %,.0f MB)%n", tocsinRss >> 20,
          tocsinHeap >> 20, vmRss >> 20, vmHeap >> 20, vmHeapInUse / (1 << 20));
      String at = String.format(Locale.ROOT, "%,d series x %d samples", feed.series(), rounds);
      row("RSS growth per series after a forced GC, " + at + " (bytes)", vmRss / (double) feed.series(),
          tocsinRss / (double) feed.series(), "%,.0f", false);
      row("RSS growth per series as loaded (no forced GC), " + at + " (bytes)", vmLoaded / (double) feed.series(),
          tocsinLoaded / (double) feed.series(), "%,.0f", false);
      row("peak RSS, " + at + " (MB)", ProcessStats.peakRss(systems.vm.pid()) / 1e6,
          ProcessStats.peakRss(systems.tocsin.pid()) / 1e6, "%,.0f", false);
      row("heap per series after GC, " + at + " (bytes; VM: Go live heap)", vmHeap / (double) feed.series(),
          tocsinHeap / (double) feed.series(), "%,.0f", false);
      double tocsinCycle = tocsinCycleMs(systems, loadedMs);
      double vmCycle = vmCycleMs(systems.vm.url());
      row(String.format(Locale.ROOT, "seed monitors' cycle, %,d series (ms)", feed.series()), vmCycle, tocsinCycle,
          "%,.1f", false);
    }
  }

  /**
   * With {@code -Dversus.histograms=DIR}, Tocsin's class histogram (its own full GC, after the
   * heap figure was read) to DIR/tocsin-SERIES-WHEN.txt: what the heap per series is made of.
   */
  private static void saveHistogram(Systems systems, int series, String when) throws Exception {
    String dir = System.getProperty("versus.histograms");
    if (dir != null) {
      Path file = Files.createDirectories(Path.of(dir)).resolve("tocsin-" + series + "-" + when + ".txt");
      Files.writeString(file, ProcessStats.classHistogram(systems.tocsin.pid()));
      System.out.println("versus: Tocsin's class histogram in " + file);
    }
  }

  /** Tocsin's own timing of its first cycle that starts after the load: the sum of both monitors' evaluation_ms. */
  private static double tocsinCycleMs(Systems systems, long loadedMs) throws Exception {
    String url = "http://127.0.0.1:" + systems.tocsin.httpPort() + "/api/v1/monitors";
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode monitors = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString()).body()).path("monitors");
      double sum = 0;
      boolean all = monitors.size() > 0;
      for (JsonNode m : monitors) {
        all &= m.path("last_evaluation").asLong(0) > loadedMs;
        sum += m.path("evaluation_ms").asDouble();
      }
      if (all) {
        System.out.printf(Locale.ROOT, "versus: Tocsin's cycle after the load: %.1f ms (load %s)%n", sum, load());
        return sum;
      }
      Thread.sleep(500); // waiting for the service's own schedule (a cycle a minute), not timing logic
    }
    System.out.println("versus: Tocsin evaluated no cycle within 150 s of the load");
    return Double.NaN;
  }

  /**
   * The seed monitors' queries as Tocsin's {@code datasource:} translates them to PromQL, one
   * range query per column for the last full minute ({@code nocache=1}: no rollup result cache);
   * the median of three cycles.
   */
  private static double vmCycleMs(String vmUrl) throws Exception {
    List<String> queries = new ArrayList<>();
    for (MonitorDefinition monitor : new RuleFiles(name -> null)
        .parse(Map.of("redis.yml", Files.readString(SEED_RULES))).monitors()) {
      for (PromQlTranslator.Column column : PromQlTranslator.translate(monitor.query().metrics(),
          monitor.query().items(), Duration.ofMinutes(1), COUNTERS)) {
        if (!column.helper()) {
          queries.add(column.promql());
        }
      }
    }
    long at = System.currentTimeMillis() / 60_000 * 60_000 - 1;
    String time = String.format(Locale.ROOT, "%.3f", at / 1000.0);
    double[] cycles = new double[3];
    for (int i = 0; i < cycles.length; i++) {
      long t0 = System.nanoTime();
      for (String promql : queries) {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(vmUrl + "/api/v1/query_range?query="
            + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&start=" + time + "&end=" + time
            + "&step=60s&nocache=1")).timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          System.out.println("versus: VictoriaMetrics answered " + response.statusCode() + ": " + response.body());
          return Double.NaN;
        }
      }
      cycles[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(cycles);
    System.out.printf(Locale.ROOT, "versus: VictoriaMetrics: %s: %.1f / %.1f / %.1f ms (load %s)%n", queries,
        cycles[0], cycles[1], cycles[2], load());
    return cycles[1];
  }

  // --- processes and the table ---------------------------------------------------------------

  private Systems start(int series) throws Exception {
    ScratchDir here = ScratchDir.create(dir, "run");
    Path config = Files.writeString(here.resolve("tocsin.yml"), String.format(Locale.ROOT, """
        rule_files: ["%s"]
        data_dir: %s
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        limits: {max_series: %d, max_series_per_metric: %d}
        ingest:
          remote_write:
            kinds: {redis_keyspace_read_hits: counter, redis_keyspace_read_misses: counter}
        """, SEED_RULES, here.resolve("tocsin"), Math.max(2_000_000, series), Math.max(200_000, series)));
    JarProcess tocsin = JarProcess.serve(config, ENVIRONMENT, jvmFlags);
    try {
      return new Systems(here, tocsin, ExternalServer.victoriaMetrics(here.resolve("vm"),
          // Its GC trace tells its live heap (vmLiveHeap); tracing changes nothing else.
          Map.of("GODEBUG", "gctrace=1"),
          // Its default refuses a query over more than 300,000 series: the seed's queries read them all.
          "-search.maxUniqueTimeseries=" + Math.max(300_000, 2 * series)));
    } catch (Exception | Error e) {
      tocsin.close();
      throw e;
    }
  }

  /** Both servers of one size, and their data, deleted when they are closed. */
  private record Systems(ScratchDir data, JarProcess tocsin, ExternalServer vm) implements AutoCloseable {
    String tocsinWrite() {
      return "http://127.0.0.1:" + tocsin.httpPort() + "/api/v1/write";
    }

    String vmWrite() {
      return vm.url() + "/api/v1/write";
    }

    @Override
    public void close() throws Exception {
      try {
        // SIGTERM first: a flight recording (-XX:StartFlightRecording in -Dversus.jvm) is written on exit.
        tocsin.terminate();
      } catch (IllegalThreadStateException stillRunning) {
        // close() kills it
      }
      try {
        tocsin.close();
      } finally {
        try {
          vm.close();
        } finally {
          data.close();
        }
      }
    }
  }

  /** A row; the last column is "x" times ahead of VictoriaMetrics, more being better either way. */
  private void row(String name, double vm, double tocsin, String format, boolean higherIsBetter) {
    Function<Double, String> f = v -> Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
    double ratio = higherIsBetter ? tocsin / vm : vm / tocsin;
    rows.put(name, new String[] {f.apply(vm), f.apply(tocsin), String.format(Locale.ROOT, "%.2fx", ratio)});
  }

  private void print() {
    int width = rows.keySet().stream().mapToInt(String::length).max().orElse(10);
    String format = "%-" + width + "s | %15s | %15s | %8s%n";
    System.out.printf(Locale.ROOT, "%nversus (Tocsin JVM flags: %s; load now: %s)%n", String.join(" ", jvmFlags),
        load());
    System.out.printf(Locale.ROOT, format, "figure", "VictoriaMetrics", "Tocsin", "Tocsin is");
    System.out.println("-".repeat(width) + "-|-" + "-".repeat(15) + "-|-" + "-".repeat(15) + "-|-" + "-".repeat(8));
    rows.forEach((name, v) -> System.out.printf(Locale.ROOT, format, name, v[0], v[1], v[2]));
    System.out.println("(\"Tocsin is\": how many times better than VictoriaMetrics; above 1.00x Tocsin is ahead)");
  }

  /** The 1, 5 and 15 minute load averages. */
  static String load() {
    try {
      String[] avg = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return avg[0] + " " + avg[1] + " " + avg[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
