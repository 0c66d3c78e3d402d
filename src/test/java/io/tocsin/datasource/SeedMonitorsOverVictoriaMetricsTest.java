package io.tocsin.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tocsin.Tocsin;
import io.tocsin.rules.AlertEvent;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two seed monitors of {@code rules/redis.yml}, verbatim, evaluated once over the local store
 * and once with {@code datasource: vm} over VictoriaMetrics holding the same data: both fire and
 * resolve the same groups at the same buckets.
 */
class SeedMonitorsOverVictoriaMetricsTest {
  private static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  private static final int MINUTES = 40;

  @TempDir
  Path dir;

  @Test
  void seedMonitors_reachTheSameStatesAtTheSameBuckets() throws Exception {
    assumeTrue(ExternalServer.installed(ExternalServer.VICTORIA_METRICS),
        "VictoriaMetrics is not installed at " + ExternalServer.VICTORIA_METRICS);
    String seed = Files.readString(Path.of("rules/redis.yml"));
    String remote = seed.substring(seed.indexOf("monitors:") + "monitors:".length())
        .replace("  - name: Redis shard is down", "  - name: Redis shard is down (vm)\n    datasource: vm")
        .replace("  - name: Redis read hit rate < 75%", "  - name: Redis read hit rate < 75% (vm)\n    datasource: vm");
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(dir.resolve("rules/redis.yml"), seed + remote);

    try (ExternalServer victoria = ExternalServer.victoriaMetrics(dir.resolve("vm"))) {
      DatasourceSettings vm = new DatasourceSettings("vm", URI.create(victoria.url()),
          DatasourceSettings.Flavor.VICTORIAMETRICS, Map.of(), "", Secret.NONE, Secret.NONE, Duration.ofSeconds(10),
          Map.of("redis_keyspace_read_hits", MetricKind.COUNTER,
              "redis_keyspace_read_misses", MetricKind.COUNTER));
      MutableClock clock = new MutableClock(Instant.ofEpochMilli(T0));
      try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dir).withDatasources(List.of(vm)), clock, false)) {
        RemoteData data = new RemoteData(tocsin.store());
        int samples = MINUTES * 4; // every 15 s
        for (String node : List.of("n1", "n2", "n3")) {
          Labels labels = Labels.of("cluster", "c1", "bdb", "1", "node", node);
          data.gauge("redis_up", labels, T0 + 5_000, 15_000, samples,
              i -> node.equals("n2") && i >= 8 * 4 && i < 20 * 4 || node.equals("n3") && i >= 12 * 4 && i < 14 * 4 ? 0 : 1);
          // n2's hit rate falls to 1/3 between minutes 10 and 25; n3 sits at exactly 0.75 (not below).
          data.counter("redis_keyspace_read_hits", labels, T0 + 5_000, 15_000, samples, -1, 5000,
              i -> node.equals("n3") ? 3 : node.equals("n2") && i >= 10 * 4 && i < 25 * 4 ? 5 : 30);
          data.counter("redis_keyspace_read_misses", labels, T0 + 5_000, 15_000, samples, -1, 300,
              i -> node.equals("n3") ? 1 : node.equals("n2") && i >= 10 * 4 && i < 25 * 4 ? 10 : 2);
        }
        data.sendTo(victoria.url());

        List<AlertEvent> events = new ArrayList<>();
        for (int minute = 2; minute <= MINUTES; minute++) {
          clock.setMillis(T0 + minute * 60_000L + 30_000);
          events.addAll(tocsin.engine().evaluateDue(clock.millis()));
        }
        tocsin.engine().monitors().forEach(m -> assertThat(m.health()).as(m.definition().name() + ": " + m.lastError())
            .isEqualTo(MonitorStatus.Health.OK));
        Map<Boolean, List<String>> byStore = events.stream().collect(Collectors.partitioningBy(
            e -> e.monitor().endsWith(" (vm)"),
            Collectors.mapping(e -> e.monitor().replace(" (vm)", "") + " " + e.type() + " " + e.labels().get("node")
                + " at minute " + (e.at() - T0) / 60_000, Collectors.toList())));
        assertThat(byStore.get(false)).containsExactly(
            "Redis shard is down FIRING n2 at minute 13",
            "Redis read hit rate < 75% FIRING n2 at minute 15",
            "Redis shard is down RESOLVED n2 at minute 21",
            "Redis read hit rate < 75% RESOLVED n2 at minute 26");
        assertThat(byStore.get(true)).isEqualTo(byStore.get(false));
      }
    }
  }
}
