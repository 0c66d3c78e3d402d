package io.tocsin.bench;

import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.ingest.prompb.Label;
import io.tocsin.ingest.prompb.Sample;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.ingest.prompb.WriteRequest;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.ScratchDir;
import io.tocsin.testing.TestServers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote-write ingest, Tocsin beside VictoriaMetrics (single node, Debian's package)
 * in the same run, on the same pre-encoded requests: N gauge series with six labels, split into
 * {@link #CONNECTIONS} shards as Prometheus' queue does (each shard keeps its series in time
 * order), each shard's samples in requests of {@link #SAMPLES_PER_REQUEST} (Prometheus' default
 * max_samples_per_send), sent over one connection per shard. Prints samples/s and the ratio.
 *
 * <p>Run with {@code bench/run remotewrite [series]}; {@code -Dbench.rounds} sets the samples per
 * series (default 200, 15 s apart, within Tocsin's one-hour window).
 */
public final class RemoteWriteBenchmark {
  static final int CONNECTIONS = 4;
  static final int SAMPLES_PER_REQUEST = 2_000;
  private static final long STEP_MS = 15_000;

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 10_000;
    int rounds = Integer.getInteger("bench.rounds", 200);
    int warmupRounds = Integer.getInteger("bench.warmup", 60);
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    long start = System.currentTimeMillis() - 55 * 60_000;
    List<List<byte[]>> warmup = shards(series, start, 0, warmupRounds);
    List<List<byte[]>> work = shards(series, start, warmupRounds, rounds);
    long bytes = work.stream().flatMap(List::stream).mapToLong(b -> b.length).sum();
    int requests = work.stream().mapToInt(List::size).sum();
    System.out.printf(Locale.ROOT, "remotewrite: %,d series x %d samples = %,d samples in %,d requests of %,d samples"
        + " (%,d snappy bytes each on average), %d connections%n", series, rounds, (long) series * rounds, requests,
        SAMPLES_PER_REQUEST, bytes / requests, CONNECTIONS);

    try (ScratchDir scratch = ScratchDir.create("tocsin-bench-rw")) {
      Path dir = scratch.path();
      ServerConfig config = TestServers.loopbackConfig(dir)
          .withLimits(new ServerConfig.Limits(4_000_000, 1_000_000, 64 << 20, 64));
      double tocsinRate;
      try (Tocsin tocsin = Tocsin.start(config, Clock.systemUTC())) {
        String url = "http://127.0.0.1:" + tocsin.httpPort() + "/api/v1/write";
        send(url, warmup);
        tocsinRate = measure("tocsin", url, work, (long) series * rounds);
      }
      if (!ExternalServer.installed(ExternalServer.VICTORIA_METRICS)) {
        System.out.println("victoria-metrics: not installed (" + ExternalServer.VICTORIA_METRICS + "); no comparison");
        return;
      }
      try (ExternalServer vm = ExternalServer.victoriaMetrics(dir.resolve("vm"))) {
        String url = vm.url() + "/api/v1/write";
        send(url, warmup);
        double vmRate = measure("victoria-metrics", url, work, (long) series * rounds);
        System.out.printf(Locale.ROOT, "remotewrite: Tocsin / VictoriaMetrics = %.2f%n", tocsinRate / vmRate);
      }
    }
  }

  /** Samples per second over the measured requests. */
  private static double measure(String name, String url, List<List<byte[]>> work, long samples) throws Exception {
    long t0 = System.nanoTime();
    long refused = send(url, work);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double rate = samples / seconds;
    System.out.printf(Locale.ROOT, "%s: %,.0f samples/s (%.2f s)%s%n", name, rate, seconds,
        refused == 0 ? "" : "; " + refused + " requests NOT accepted");
    return rate;
  }

  /** Sends each shard's requests in order on its own connection; the count of non-2xx answers. */
  private static long send(String url, List<List<byte[]>> shards) throws Exception {
    AtomicLong refused = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(shards.size());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (List<byte[]> shard : shards) {
        done.add(pool.submit(() -> {
          HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          for (byte[] body : shard) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2 && refused.getAndIncrement() == 0) {
              System.out.println("  first refusal: " + response.statusCode() + " " + response.body().strip());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return refused.get();
  }

  /**
   * Rounds {@code [from, from + rounds)} of every series, per shard: the shard's samples in time
   * order, cut into requests of {@link #SAMPLES_PER_REQUEST}, each encoded and snappy-compressed.
   */
  static List<List<byte[]>> shards(int series, long startMs, int from, int rounds) throws IOException {
    return shards(series, startMs, from, rounds, false);
  }

  /**
   * As {@link #shards(int, long, int, int)}; with {@code counters}, of cumulative counters ({@code
   * bench_counter_total}, each sample above the one before) instead of gauges.
   */
  static List<List<byte[]>> shards(int series, long startMs, int from, int rounds, boolean counters)
      throws IOException {
    String metric = counters ? "bench_counter_total" : "bench_gauge";
    SplittableRandom random = new SplittableRandom(from);
    List<List<byte[]>> shards = new ArrayList<>();
    for (int shard = 0; shard < CONNECTIONS; shard++) {
      List<byte[]> requests = new ArrayList<>();
      WriteRequest.Builder request = WriteRequest.newBuilder();
      int inRequest = 0;
      for (int r = from; r < from + rounds; r++) {
        long t = startMs + r * STEP_MS;
        for (int s = shard; s < series; s += CONNECTIONS) {
          double value = Math.round(random.nextDouble() * 10_000) / 100.0;
          request.addTimeseries(TimeSeries.newBuilder().addAllLabels(labels(metric, s))
              .addSamples(Sample.newBuilder().setTimestamp(t).setValue(counters ? r * 100 + value : value)));
          if (++inRequest == SAMPLES_PER_REQUEST) {
            requests.add(Snappy.compress(request.build().toByteArray()));
            request = WriteRequest.newBuilder();
            inRequest = 0;
          }
        }
      }
      if (inRequest > 0) {
        requests.add(Snappy.compress(request.build().toByteArray()));
      }
      shards.add(requests);
    }
    return shards;
  }

  /** Sorted by name, as Prometheus sends them. */
  private static List<Label> labels(String metric, int s) {
    return List.of(label("__name__", metric), label("host", "host-" + (s % 5_000)),
        label("instance", "instance-" + s + ":9100"), label("job", "bench"), label("region", "region-" + (s % 7)),
        label("shard", Integer.toString(s % 64)));
  }

  private static Label label(String name, String value) {
    return Label.newBuilder().setName(name).setValue(value).build();
  }
}
