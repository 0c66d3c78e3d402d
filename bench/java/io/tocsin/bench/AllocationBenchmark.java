package io.tocsin.bench;

import com.sun.management.ThreadMXBean;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.testing.ScratchDir;
import io.tocsin.testing.TestServers;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bytes the server allocates per point on each ingest path, through the real listeners of one
 * in-process Tocsin (write-ahead log on): OTLP/gRPC and OTLP/HTTP with the same pre-encoded
 * export requests ({@link IngestBenchmark#round}: 1,000 gauge points of 4 attributes each), and
 * Prometheus remote write ({@link RemoteWriteBenchmark#shards}: 2,000 samples per request), of
 * gauges and then of cumulative counters (turned into increases from the state their series keep). Only
 * the server's threads count: the clients run on threads of their own (named {@code bench-}, the
 * JDK client's {@code HttpClient-}), excluded by name. Each path runs warm-up rounds first, and
 * measures rounds of series the store already holds, as steady ingest is.
 *
 * <p>Run with {@code bench/run alloc [series]} (default 100,000).
 */
public final class AllocationBenchmark {
  private static final int WARMUP = Integer.getInteger("bench.warmup", 20);
  private static final int MEASURED = Integer.getInteger("bench.rounds", 10);

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 100_000;
    System.out.printf(Locale.ROOT, "alloc: java %s, %d cores; %,d series, %d warm-up and %d measured rounds per path%n",
        Runtime.version(), Runtime.getRuntime().availableProcessors(), series, WARMUP, MEASURED);
    try (ScratchDir scratch = ScratchDir.create("tocsin-bench-alloc")) {
      Path dir = scratch.path();
      ServerConfig config = TestServers.loopbackConfig(dir)
          .withLimits(new ServerConfig.Limits(4_000_000, 1_000_000, 64 << 20, 64));
      long start = System.currentTimeMillis() - 50 * 60_000;
      try (Tocsin tocsin = Tocsin.start(config, Clock.systemUTC())) {
        // OTLP over gRPC then HTTP: different metrics, so neither path finds the other's series.
        List<List<byte[]>> otlp = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(1);
        for (int r = 0; r < 2 * (WARMUP + MEASURED); r++) {
          otlp.add(IngestBenchmark.round(series, start + (r % (WARMUP + MEASURED)) * IngestBenchmark.STEP_MS, random));
        }
        NioEventLoopGroup loop = new NioEventLoopGroup(1, (ThreadFactory) r -> new Thread(r, "bench-grpc-client"));
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", tocsin.otlpGrpcPort()).usePlaintext()
            .eventLoopGroup(loop).channelType(NioSocketChannel.class).directExecutor().build();
        report("OTLP/gRPC", series, MEASURED, otlp.subList(0, WARMUP + MEASURED),
            bodies -> IngestBenchmark.send(channel, bodies));
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        loop.shutdownGracefully();
        String http = "http://127.0.0.1:" + tocsin.otlpHttpPort() + "/v1/metrics";
        List<List<byte[]>> otlpHttp = renamed(otlp.subList(WARMUP + MEASURED, otlp.size()));
        report("OTLP/HTTP", series, MEASURED, otlpHttp, bodies -> post(http, bodies, "application/x-protobuf", null));
        String rw = "http://127.0.0.1:" + tocsin.httpPort() + "/api/v1/write";
        List<List<byte[]>> remote = new ArrayList<>();
        for (int r = 0; r < WARMUP + MEASURED; r++) {
          List<byte[]> round = new ArrayList<>();
          RemoteWriteBenchmark.shards(series, start, r, 1).forEach(round::addAll);
          remote.add(round);
        }
        report("remote write", series, MEASURED, remote, bodies -> post(rw, bodies, "application/x-protobuf", "snappy"));
        List<List<byte[]>> counters = new ArrayList<>();
        for (int r = 0; r < WARMUP + MEASURED; r++) {
          List<byte[]> round = new ArrayList<>();
          RemoteWriteBenchmark.shards(series, start, r, 1, true).forEach(round::addAll);
          counters.add(round);
        }
        report("remote write, counters", series, MEASURED, counters,
            bodies -> post(rw, bodies, "application/x-protobuf", "snappy"));
      }
    }
  }

  /** The same requests, their metric names changed from bench.gauge.N to bench.http.N (same length). */
  private static List<List<byte[]>> renamed(List<List<byte[]>> rounds) {
    byte[] from = "bench.gauge.".getBytes(StandardCharsets.US_ASCII);
    byte[] to = "bench.httpg.".getBytes(StandardCharsets.US_ASCII);
    List<List<byte[]>> out = new ArrayList<>();
    for (List<byte[]> round : rounds) {
      List<byte[]> copies = new ArrayList<>();
      for (byte[] body : round) {
        byte[] copy = body.clone();
        for (int i = 0; i + from.length <= copy.length; i++) {
          if (Arrays.equals(copy, i, i + from.length, from, 0, from.length)) {
            System.arraycopy(to, 0, copy, i, to.length);
          }
        }
        copies.add(copy);
      }
      out.add(copies);
    }
    return out;
  }

  interface Sender {
    void send(List<byte[]> bodies) throws Exception;
  }

  private static void report(String path, int series, int measured, List<List<byte[]>> rounds, Sender sender)
      throws Exception {
    int warmup = rounds.size() - measured;
    for (int r = 0; r < warmup; r++) {
      sender.send(rounds.get(r));
    }
    long before = serverAllocated();
    long t0 = System.nanoTime();
    for (int r = warmup; r < rounds.size(); r++) {
      sender.send(rounds.get(r));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long points = (long) series * measured;
    System.out.printf(Locale.ROOT, "alloc: %-23s %,6d bytes allocated by the server per point (%,.0f points/s)%n",
        path + ":", (serverAllocated() - before) / points, points / seconds);
  }

  /** Posts each body, on 4 connections (threads named bench-http-client). */
  private static void post(String url, List<byte[]> bodies, String contentType, String encoding) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "bench-http-client"));
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        done.add(pool.submit(() -> {
          HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)));
            if (encoding != null) {
              request.header("Content-Encoding", encoding);
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
              throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
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
  }

  /** Bytes allocated so far by live threads that are not the benchmark's clients. */
  private static long serverAllocated() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long id : threads.getAllThreadIds()) {
      var info = threads.getThreadInfo(id);
      if (info == null || info.getThreadName().startsWith("bench-") || info.getThreadName().startsWith("HttpClient-")
          || info.getThreadName().equals("main")) {
        continue;
      }
      total += Math.max(0, threads.getThreadAllocatedBytes(id));
    }
    return total;
  }
}
