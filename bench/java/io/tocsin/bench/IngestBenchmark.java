package io.tocsin.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.sun.management.ThreadMXBean;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.ingest.IngestResult;
import io.tocsin.ingest.MetricsTranslator;
import io.tocsin.store.CounterSeries;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.store.wal.WalSettings;
import io.tocsin.testing.ScratchDir;
import io.tocsin.testing.TestServers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest and memory figures for the design's targets (section 7). Prints, never asserts.
 *
 * <ul>
 *   <li>{@code grpc}: pre-encoded export requests of 1,000 gauge points with 4 attributes each,
 *       over a given number of series, sent to a running Tocsin through a real gRPC client.
 *   <li>{@code translate}: the same requests decoded and written on one thread, in process,
 *       with the bytes allocated per point; then as many of cumulative counters.
 *   <li>{@code memory}: the heap held per series with 60 and with 240 samples 15 s apart; a third
 *       of the series are gauges of 1, a third counters that keep a cumulative stream's state as
 *       ingest's do, a third wandering gauges.
 * </ul>
 *
 * <p>Run with {@code bench/run [grpc|translate|memory|all] [series...]}.
 */
public final class IngestBenchmark {
  private static final int POINTS_PER_REQUEST = 1_000;
  private static final int SERIES_PER_METRIC = 100_000;
  static final long STEP_MS = 15_000;

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "all";
    List<Integer> seriesCounts = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      seriesCounts.add(Integer.parseInt(args[i].replace("_", "")));
    }
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    if (mode.equals("grpc") || mode.equals("all")) {
      grpc(seriesCounts.isEmpty() ? 100_000 : seriesCounts.get(0), WalSettings.DEFAULT);
    }
    if (mode.equals("wal") || mode.equals("all")) {
      wal(seriesCounts.isEmpty() ? 20_000 : seriesCounts.get(0));
    }
    if (mode.equals("translate") || mode.equals("all")) {
      translate(seriesCounts.isEmpty() ? 100_000 : seriesCounts.get(0));
    }
    if (mode.equals("memory") || mode.equals("all")) {
      for (int series : seriesCounts.isEmpty() ? List.of(100_000, 1_000_000) : seriesCounts) {
        // 60 samples is the side-by-side comparison's (and issue's) figure; 240 is an hour at 15 s.
        memory(series, 60);
        memory(series, 240);
      }
    }
  }

  // --- workload ------------------------------------------------------------------------------

  /** One round: every series once, at {@code timeMs}, in requests of 1,000 points. */
  public static List<byte[]> round(int series, long timeMs, SplittableRandom random) {
    List<byte[]> requests = new ArrayList<>();
    for (int first = 0; first < series; first += POINTS_PER_REQUEST) {
      Gauge.Builder gauge = null;
      ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
      int currentMetric = -1;
      for (int s = first; s < Math.min(series, first + POINTS_PER_REQUEST); s++) {
        int metric = s / SERIES_PER_METRIC;
        if (metric != currentMetric) {
          if (gauge != null) {
            scope.addMetrics(Metric.newBuilder().setName("bench.gauge." + currentMetric).setGauge(gauge));
          }
          gauge = Gauge.newBuilder();
          currentMetric = metric;
        }
        gauge.addDataPoints(NumberDataPoint.newBuilder()
            .setTimeUnixNano(timeMs * 1_000_000)
            .setAsDouble(Math.round(random.nextDouble() * 10_000) / 100.0)
            .addAttributes(attr("host.name", "host-" + (s % 5_000)))
            .addAttributes(attr("region", "region-" + (s % 7)))
            .addAttributes(attr("instance", "instance-" + s))
            .addAttributes(attr("shard", Integer.toString(s % 64))));
      }
      scope.addMetrics(Metric.newBuilder().setName("bench.gauge." + currentMetric).setGauge(gauge));
      requests.add(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(attr("service.name", "bench")))
          .addScopeMetrics(scope)).build().toByteArray());
    }
    return requests;
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  // --- grpc ----------------------------------------------------------------------------------

  private static final MethodDescriptor<byte[], byte[]> RAW_EXPORT = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MetricsServiceGrpc.getExportMethod().getFullMethodName())
      .setRequestMarshaller(new BytesMarshaller())
      .setResponseMarshaller(new BytesMarshaller())
      .build();

  /**
   * The gRPC figure three times in one run: write-ahead log off, {@code fsync: interval} and
   * {@code always}; then the log's bytes on disk per sample written.
   */
  static void wal(int series) throws Exception {
    Map<String, Double> rates = new java.util.LinkedHashMap<>();
    rates.put("off", grpc(series, WalSettings.DISABLED));
    rates.put("interval", grpc(series, WalSettings.DEFAULT));
    rates.put("always", grpc(series, WalSettings.DEFAULT.withFsync(WalSettings.Fsync.ALWAYS)));
    System.out.printf(Locale.ROOT, "%nwal: %,d series; points/s with the log off %,.0f, interval %,.0f (%.0f%%),"
        + " always %,.0f (%.0f%%)%n", series, rates.get("off"), rates.get("interval"),
        100 * rates.get("interval") / rates.get("off"), rates.get("always"), 100 * rates.get("always") / rates.get("off"));
  }

  /** Points per second. */
  static double grpc(int series, WalSettings wal) throws Exception {
    // Warm-up rounds are encoded as they are sent; measured rounds are encoded beforehand, so the
    // client costs little while the clock runs. Warm-up runs until the JIT has compiled the gRPC
    // and Netty paths, which run once per request and take a while to become hot.
    int warmup = Integer.getInteger("bench.warmup", 100);
    int measured = Integer.getInteger("bench.rounds", 30);
    long start = System.currentTimeMillis() - 55 * 60_000;
    SplittableRandom random = new SplittableRandom(1);
    try (ScratchDir scratch = ScratchDir.create("tocsin-bench")) {
      Path dataDir = scratch.path();
      ServerConfig config = TestServers.loopbackConfig(dataDir)
          .withLimits(new ServerConfig.Limits(4_000_000, 1_000_000, 64 << 20, 64)).withWal(wal);
      double rate;
      long sent = 0;
      try (Tocsin tocsin = Tocsin.start(config, Clock.systemUTC())) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", tocsin.otlpGrpcPort()).usePlaintext().build();
        System.out.printf(Locale.ROOT, "%ngrpc: write-ahead log %s; warming up with %d rounds of %,d series...%n",
            wal.enabled() ? "on, fsync " + wal.fsync().id() : "off", warmup, series);
        for (int r = 0; r < warmup; r++) {
          sent += send(channel, round(series, start + r * STEP_MS, random));
        }
        List<List<byte[]>> work = new ArrayList<>();
        for (int r = warmup; r < warmup + measured; r++) {
          work.add(round(series, start + r * STEP_MS, random));
        }
        jdk.jfr.Recording recording = null;
        if (System.getProperty("bench.jfr") != null) {
          recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
          recording.start();
        }
        long points = 0;
        Map<String, Long> threadCpu0 = threadCpuByName();
        long allocated0 = allocatedBytes();
        long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long gc0 = gcMillis();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (List<byte[]> round : work) {
          points += send(channel, round);
        }
        long elapsed = System.nanoTime() - t0;
        sent += points;
        double seconds = elapsed / 1e9;
        rate = points / seconds;
        double cpu = (processCpuNanos() - cpu0) / (double) elapsed;
        System.out.printf(Locale.ROOT,
            "grpc: %,d points in %.2f s = %,.0f points/s (%,d series in store; client and server used %.2f cores)%n",
            points, seconds, points / seconds, tocsin.store().seriesCount(), cpu);
        Map<String, Long> threadCpu = threadCpuByName();
        long javaThreads = 0;
        StringBuilder perThread = new StringBuilder();
        for (var e : threadCpu.entrySet()) {
          long used = e.getValue() - threadCpu0.getOrDefault(e.getKey(), 0L);
          javaThreads += used;
          if (used > elapsed / 50) {
            perThread.append(String.format(Locale.ROOT, " %s=%.2f", e.getKey(), used / (double) elapsed));
          }
        }
        System.out.printf(Locale.ROOT, "grpc: %,d bytes allocated per point, client and server together%n",
            (allocatedBytes() - allocated0) / points);
        System.out.printf(Locale.ROOT, "grpc: cores by thread:%s, other (GC, JIT)=%.2f; JIT %d ms, GC pauses %d ms%n",
            perThread, (processCpuNanos() - cpu0 - javaThreads) / (double) elapsed,
            ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0, gcMillis() - gc0);
        if (recording != null) {
          recording.stop();
          recording.dump(Path.of(System.getProperty("bench.jfr")));
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      Path walDir = dataDir.resolve("wal");
      if (Files.isDirectory(walDir)) {
        long bytes;
        try (var files = Files.list(walDir)) {
          bytes = files.mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf(Locale.ROOT, "grpc: write-ahead log %,d bytes for %,d samples = %.1f bytes per sample"
            + " (series definitions included)%n", bytes, sent, bytes / (double) sent);
      }
      return rate;
    }
  }

  static long send(ManagedChannel channel, List<byte[]> requests) throws InterruptedException {
    int inflight = 8;
    Semaphore permits = new Semaphore(inflight);
    AtomicLong failures = new AtomicLong();
    for (byte[] request : requests) {
      permits.acquire();
      Futures.addCallback(ClientCalls.futureUnaryCall(channel.newCall(RAW_EXPORT, CallOptions.DEFAULT), request),
          new FutureCallback<byte[]>() {
            @Override
            public void onSuccess(byte[] response) {
              if (response.length > 0) {
                failures.incrementAndGet(); // a partial success: some points were rejected
              }
              permits.release();
            }

            @Override
            public void onFailure(Throwable t) {
              failures.incrementAndGet();
              permits.release();
            }
          }, MoreExecutors.directExecutor());
    }
    permits.acquire(inflight);
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " requests failed or were partially rejected");
    }
    return (long) requests.size() * POINTS_PER_REQUEST;
  }

  // --- translate -----------------------------------------------------------------------------

  static void translate(int series) throws Exception {
    int rounds = 24;
    long start = System.currentTimeMillis() - 50 * 60_000;
    SplittableRandom random = new SplittableRandom(2);
    List<List<byte[]>> gauges = new ArrayList<>();
    List<List<byte[]>> counters = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      gauges.add(round(series, start + r * STEP_MS, random));
      counters.add(counterRound(series, start + r * STEP_MS, r));
    }
    translate("gauges", gauges);
    translate("cumulative counters", counters);
  }

  /** Decodes and writes {@code work} into a new store on this thread; prints points/s and bytes per point. */
  private static void translate(String what, List<List<byte[]>> work) throws Exception {
    SeriesStore store = new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(1), 4_000_000, 1_000_000));
    MetricsTranslator translator = new MetricsTranslator(store, Clock.systemUTC());
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    int warmup = 4;
    for (int r = 0; r < warmup; r++) {
      for (byte[] request : work.get(r)) {
        translator.write(request);
      }
    }
    long allocated0 = threads.getCurrentThreadAllocatedBytes();
    long t0 = System.nanoTime();
    long points = 0;
    for (int r = warmup; r < work.size(); r++) {
      for (byte[] request : work.get(r)) {
        IngestResult result = translator.write(request);
        points += result.accepted();
        if (result.rejected() > 0) {
          throw new IllegalStateException(result.message());
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocated0;
    System.out.printf(Locale.ROOT,
        "%ntranslate %s (decode + write, one thread): %,.0f points/s, %,d bytes allocated per point%n",
        what, points / seconds, allocated / points);
  }

  /**
   * Like {@link #round}, of cumulative monotonic sums (counters) that began an hour before: each
   * point a little above the one before, so that the store keeps each stream's state.
   */
  static List<byte[]> counterRound(int series, long timeMs, int round) {
    long startNanos = (timeMs - round * STEP_MS - 3_600_000) * 1_000_000;
    List<byte[]> requests = new ArrayList<>();
    for (int first = 0; first < series; first += POINTS_PER_REQUEST) {
      Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
          .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
      for (int s = first; s < Math.min(series, first + POINTS_PER_REQUEST); s++) {
        sum.addDataPoints(NumberDataPoint.newBuilder().setStartTimeUnixNano(startNanos)
            .setTimeUnixNano(timeMs * 1_000_000).setAsDouble(round * 100 + s % 97)
            .addAttributes(attr("host.name", "host-" + (s % 5_000)))
            .addAttributes(attr("region", "region-" + (s % 7)))
            .addAttributes(attr("instance", "instance-" + s))
            .addAttributes(attr("shard", Integer.toString(s % 64))));
      }
      requests.add(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(attr("service.name", "bench")))
          .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("bench.hits").setSum(sum))))
          .build().toByteArray());
    }
    return requests;
  }

  // --- memory --------------------------------------------------------------------------------

  /**
   * Fills a store with {@code samples} 15 s samples per series and reports the heap it holds; the
   * counters keep the state of a cumulative stream, as ingest's do.
   */
  static void memory(int series, int samples) {
    System.out.printf(Locale.ROOT, "%nmemory: %,d series x %d samples (15 s apart)...%n", series, samples);
    long before = usedHeapAfterGc();
    SeriesStore store = new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(1), series, series));
    long now = System.currentTimeMillis();
    fill(store, series, now - (samples - 1) * STEP_MS, now, true);
    long after = usedHeapAfterGc();
    long perSeries = (after - before) / series;
    System.out.printf(Locale.ROOT, "memory: %,d series hold %,d MiB: %,d bytes per series (%d samples each)%n",
        store.seriesCount(), (after - before) >> 20, perSeries, samples);
  }

  /**
   * A store of {@code series} series holding one hour of 15 s samples ending now, written through
   * the store's write path. Values mix what real metrics look like: a third constant (up = 1), a
   * third small counter increases, a third gauges that wander.
   */
  public static SeriesStore filledStore(int series) {
    return filledStore(series, 240);
  }

  /** As {@link #filledStore(int)}, with the last {@code samples} 15 s samples of the hour. */
  static SeriesStore filledStore(int series, int samples) {
    SeriesStore store = new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(1), series, series));
    long now = System.currentTimeMillis();
    fill(store, series, now - (samples - 1) * STEP_MS, now);
    return store;
  }

  /**
   * Writes a 15 s sample to each of the {@code series} series of {@link #filledStore} for every
   * step from {@code startMs} to {@code endMs}.
   */
  static void fill(SeriesStore store, int series, long startMs, long endMs) {
    fill(store, series, startMs, endMs, false);
  }

  /**
   * As {@link #fill(SeriesStore, int, long, long)}; with {@code counterStates}, each counter is a
   * cumulative stream whose series keeps its last value and start, as ingest writes one.
   */
  static void fill(SeriesStore store, int series, long startMs, long endMs, boolean counterStates) {
    long streamStartNanos = (startMs - STEP_MS) * 1_000_000;
    Labels[] labels = new Labels[series];
    for (int s = 0; s < series; s++) {
      labels[s] = Labels.of("host_name", "host-" + (s % 5_000), "region", "region-" + (s % 7),
          "instance", "instance-" + s, "shard", Integer.toString(s % 64));
    }
    double[] state = new double[series];
    SplittableRandom random = new SplittableRandom(3);
    for (long t = startMs; t <= endMs; t += STEP_MS) {
      final long time = t;
      for (int s = 0; s < series; s++) {
        double value = switch (s % 3) {
          case 0 -> 1;
          case 1 -> random.nextInt(20);
          default -> state[s] = Math.round((state[s] + random.nextDouble() - 0.5) * 100) / 100.0;
        };
        int index = s;
        store.write("bench_metric_" + (s % 3), s % 3 == 1 ? MetricKind.COUNTER : MetricKind.GAUGE,
            labels[s], sr -> {
              if (counterStates && sr instanceof CounterSeries counter) {
                counter.append(time, value, streamStartNanos, state[index] += value);
              } else {
                sr.append(time, value);
              }
            });
      }
    }
    if (store.seriesCount() < series) {
      throw new IllegalStateException("expected " + series + " series");
    }
  }

  /** CPU time of live Java threads, summed by name with digits dropped (pools). */
  private static Map<String, Long> threadCpuByName() {
    Map<String, Long> byName = new TreeMap<>();
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (long id : threads.getAllThreadIds()) {
      java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
      long cpu = threads.getThreadCpuTime(id);
      if (info != null && cpu > 0) {
        byName.merge(info.getThreadName().replaceAll("\\d+", "N"), cpu, Long::sum);
      }
    }
    return byName;
  }

  /** Bytes allocated so far by the live Java threads. */
  private static long allocatedBytes() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }

  private static long gcMillis() {
    long total = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static long usedHeapAfterGc() {
    for (int i = 0; i < 4; i++) {
      System.gc();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
