package io.tocsin.demo;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis-like metrics for six shards, exported every second over OTLP/gRPC, as the Collector's
 * Redis receiver would. The story repeats every {@link Scenario#cycle}: one shard goes down for a
 * while, and a while later one node's reads start missing the cache.
 */
final class DemoTraffic implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoTraffic.class);

  /**
   * When things go wrong, as offsets into each cycle.
   *
   * @param shardDown when shard n4 stops answering, for {@code downFor}
   * @param missesFrom when node n3's hit rate drops to 20%, for {@code missesFor}
   */
  record Scenario(Duration shardDown, Duration downFor, Duration missesFrom, Duration missesFor, Duration cycle) {
    static final Scenario DEFAULT = new Scenario(Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(20), Duration.ofSeconds(35), Duration.ofSeconds(90));

    boolean down(long offsetMs) {
      return within(offsetMs, shardDown, downFor);
    }

    boolean missing(long offsetMs) {
      return within(offsetMs, missesFrom, missesFor);
    }

    private static boolean within(long offsetMs, Duration from, Duration length) {
      return offsetMs >= from.toMillis() && offsetMs < from.plus(length).toMillis();
    }
  }

  private record Shard(String cluster, String bdb, String node) {}

  private static final List<Shard> SHARDS = List.of(
      new Shard("c1", "1", "n1"), new Shard("c1", "1", "n2"), new Shard("c1", "2", "n3"),
      new Shard("c1", "2", "n4"), new Shard("c2", "3", "n5"), new Shard("c2", "3", "n6"));

  private final Clock clock;
  private final Scenario scenario;
  private final ManagedChannel channel;
  private final MetricsServiceGrpc.MetricsServiceBlockingStub stub;
  private final ScheduledExecutorService timer;
  private final long startMs;
  private final long[] hits = new long[SHARDS.size()];
  private final long[] misses = new long[SHARDS.size()];

  private DemoTraffic(int otlpGrpcPort, Clock clock, Scenario scenario) {
    this.clock = clock;
    this.scenario = scenario;
    this.startMs = clock.millis();
    this.channel = ManagedChannelBuilder.forAddress("127.0.0.1", otlpGrpcPort).usePlaintext().build();
    this.stub = MetricsServiceGrpc.newBlockingStub(channel);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "demo-traffic");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts exporting to Tocsin's OTLP/gRPC port, once a second. */
  static DemoTraffic start(int otlpGrpcPort, Clock clock, Scenario scenario) {
    DemoTraffic traffic = new DemoTraffic(otlpGrpcPort, clock, scenario);
    traffic.timer.scheduleAtFixedRate(traffic::exportSafely, 0, 1, TimeUnit.SECONDS);
    return traffic;
  }

  private void exportSafely() {
    try {
      stub.withDeadlineAfter(5, TimeUnit.SECONDS).export(request(clock.millis()));
    } catch (RuntimeException e) {
      log.warn("demo traffic: export failed: {}", e.toString());
    }
  }

  ExportMetricsServiceRequest request(long nowMs) {
    long offset = (nowMs - startMs) % scenario.cycle().toMillis();
    long nowNanos = nowMs * 1_000_000L;
    long startNanos = startMs * 1_000_000L;
    List<NumberDataPoint> up = new ArrayList<>();
    List<NumberDataPoint> hitPoints = new ArrayList<>();
    List<NumberDataPoint> missPoints = new ArrayList<>();
    for (int i = 0; i < SHARDS.size(); i++) {
      Shard shard = SHARDS.get(i);
      boolean isDown = shard.node().equals("n4") && scenario.down(offset);
      boolean isMissing = shard.node().equals("n3") && scenario.missing(offset);
      hits[i] += isMissing ? 20 : 95;
      misses[i] += isMissing ? 80 : 5;
      up.add(point(shard, nowNanos, 0).setAsDouble(isDown ? 0 : 1).build());
      hitPoints.add(point(shard, nowNanos, startNanos).setAsInt(hits[i]).build());
      missPoints.add(point(shard, nowNanos, startNanos).setAsInt(misses[i]).build());
    }
    ScopeMetrics scope = ScopeMetrics.newBuilder()
        .addMetrics(Metric.newBuilder().setName("redis_up").setGauge(Gauge.newBuilder().addAllDataPoints(up)))
        .addMetrics(counter("redis_keyspace_read_hits", hitPoints))
        .addMetrics(counter("redis_keyspace_read_misses", missPoints))
        .build();
    Resource resource = Resource.newBuilder().addAttributes(attribute("service.name", "redis-demo")).build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource).addScopeMetrics(scope))
        .build();
  }

  private static Metric counter(String name, List<NumberDataPoint> points) {
    return Metric.newBuilder().setName(name).setSum(Sum.newBuilder().setIsMonotonic(true)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
        .addAllDataPoints(points)).build();
  }

  private static NumberDataPoint.Builder point(Shard shard, long timeNanos, long startNanos) {
    return NumberDataPoint.newBuilder()
        .setTimeUnixNano(timeNanos)
        .setStartTimeUnixNano(startNanos)
        .addAttributes(attribute("cluster", shard.cluster()))
        .addAttributes(attribute("bdb", shard.bdb()))
        .addAttributes(attribute("node", shard.node()));
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    channel.shutdownNow();
  }
}
