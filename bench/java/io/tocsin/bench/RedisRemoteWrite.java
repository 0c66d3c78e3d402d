package io.tocsin.bench;

import io.tocsin.ingest.prompb.Label;
import io.tocsin.ingest.prompb.Sample;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.ingest.prompb.WriteRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * The seed monitors' metrics as Prometheus remote write sends them: {@code redis_up} (a gauge) and
 * the cumulative counters {@code redis_keyspace_read_hits} / {@code _misses}, labels cluster, bdb,
 * node and shard (100 shards a node, so the monitors' groups are 1% of the series). Series are
 * split into {@link #CONNECTIONS} shards as Prometheus' queue does (each keeps its series in time
 * order), each shard's samples in requests of {@link #SAMPLES_PER_REQUEST}. Values depend only on
 * the series and the round, so every system gets the same bytes.
 */
final class RedisRemoteWrite {
  static final int CONNECTIONS = 4;
  static final int SAMPLES_PER_REQUEST = 2_000;
  static final String[] METRICS = {"redis_up", "redis_keyspace_read_hits", "redis_keyspace_read_misses"};
  /** The HTTP client of each connection number and URL, kept from one {@link #send} to the next. */
  private static final Map<String, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  /** Label sets per metric; {@code series} in all is three times this. */
  private final int shards;

  RedisRemoteWrite(int series) {
    this.shards = Math.max(1, series / METRICS.length);
  }

  int series() {
    return shards * METRICS.length;
  }

  /**
   * Rounds {@code [from, to)} at {@code startMs + round * stepMs}, for one connection: its label
   * sets' three samples per round, in time order, encoded and snappy-compressed.
   */
  List<byte[]> requests(int connection, int from, int to, long startMs, long stepMs) {
    List<byte[]> requests = new ArrayList<>();
    WriteRequest.Builder request = WriteRequest.newBuilder();
    int inRequest = 0;
    for (int r = from; r < to; r++) {
      long t = startMs + r * stepMs;
      for (int s = connection; s < shards; s += CONNECTIONS) {
        for (int m = 0; m < METRICS.length; m++) {
          request.addTimeseries(TimeSeries.newBuilder().addAllLabels(labels(METRICS[m], s))
              .addSamples(Sample.newBuilder().setTimestamp(t).setValue(value(m, s, r))));
          if (++inRequest == SAMPLES_PER_REQUEST) {
            requests.add(compress(request.build()));
            request = WriteRequest.newBuilder();
            inRequest = 0;
          }
        }
      }
    }
    if (inRequest > 0) {
      requests.add(compress(request.build()));
    }
    return requests;
  }

  /** Up except one shard in 997; hits and misses grow at a per-shard pace, some below a 75% hit rate. */
  private static double value(int metric, int s, int round) {
    return switch (metric) {
      case 0 -> s % 997 == 0 ? 0 : 1;
      case 1 -> 1_000_000 + (long) round * (10 + s % 90);
      default -> 1_000_000 + (long) round * (s % 37);
    };
  }

  /** Sorted by name, as Prometheus sends them. */
  private static List<Label> labels(String metric, int s) {
    int node = s / 100;
    return List.of(label("__name__", metric), label("bdb", Integer.toString(node % 100)),
        label("cluster", "c" + node % 10), label("node", "n" + node), label("shard", "s" + s));
  }

  private static Label label(String name, String value) {
    return Label.newBuilder().setName(name).setValue(value).build();
  }

  private static byte[] compress(WriteRequest request) {
    try {
      return Snappy.compress(request.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A connection's requests of one part of the work, made when they are sent or beforehand. */
  interface Work {
    List<byte[]> requests(int connection, int part);
  }

  /**
   * Sends each connection's requests, parts in order, to every URL in turn (one thread per
   * connection, one HTTP/1.1 connection per URL and thread, as a Prometheus queue shard); throws
   * when a request is not answered 2xx. A connection is kept from call to call, as a queue shard
   * keeps it: a new client per call left the last call's connections open on the server (idle
   * until its timeout), holding what the server keeps per connection, and every call's first
   * requests met a server that did not know their connection yet.
   */
  static void send(int parts, Work work, String... urls) throws Exception {
    AtomicLong refused = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CONNECTIONS; c++) {
        int connection = c;
        done.add(pool.submit(() -> {
          List<HttpClient> clients = new ArrayList<>();
          for (String url : urls) {
            clients.add(CLIENTS.computeIfAbsent(connection + " " + url,
                key -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()));
          }
          for (int part = 0; part < parts; part++) {
            for (byte[] body : work.requests(connection, part)) {
              for (int i = 0; i < urls.length; i++) {
                post(clients.get(i), urls[i], body, refused);
              }
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
    if (refused.get() > 0) {
      throw new IllegalStateException(refused.get() + " remote-write requests were not accepted");
    }
  }

  private static void post(HttpClient http, String url, byte[] body, AtomicLong refused) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/x-protobuf")
        .header("Content-Encoding", "snappy")
        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2 && refused.getAndIncrement() == 0) {
      System.out.println("  first refusal from " + url + ": " + response.statusCode() + " " + response.body().strip());
    }
  }
}
