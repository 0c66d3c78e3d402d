package io.tocsin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.ClusterReplicas;
import io.tocsin.testing.RedisUpFeed;
import io.tocsin.testing.SlackStandIn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code shard_monitors: {replicas: 2}} on three real processes: every monitor is evaluated by
 * exactly two members, one message per alert; when a member dies its monitors continue on the
 * others with their state, so nothing fires again.
 */
class ClusterShardingIT {
  private static final int MONITORS = 30;
  /** The monitors that fire; each member's Slack queue holds at most this many messages at once. */
  private static final int BREACHING = 4;
  /** Longer than the queue of BREACHING messages takes to send, at Slack's one a second. */
  private static final Duration PEER_TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern EVALUATED_HERE =
      Pattern.compile("(?m)^tocsin_monitor_evaluated_here\\{monitor=\"([^\"]+)\"\\} 1(\\.0)?$");
  /** Longer than the last position's hold plus an interval: for what must not happen at all. */
  private static final Duration SETTLED = PEER_TIMEOUT.multipliedBy(2).plusSeconds(4);

  @TempDir
  Path dir;

  @Test
  void thirtyMonitorsOnThreeMembers_eachEvaluatedTwiceAndNotifiedOnceThroughAFailure() throws Exception {
    // Slack takes a message a second: if every monitor fired at once, a member's queue would hold
    // 20 messages, longer than any peer_timeout here, and a later position would send too (see
    // README, High availability). So the first BREACHING monitors watch the shard that goes
    // down; the others watch one that stays up, and are placed and evaluated all the same.
    StringBuilder rules = new StringBuilder("monitors:\n");
    for (int m = 1; m <= MONITORS; m++) {
      rules.append("""
            - name: Shard down %02d
              metrics: [redis_up as $up]
              query: [group by node, $up%s]
              min_allowed_value: 1
              grouping_interval: 1s
              for_duration: 3s
          """.formatted(m, m <= BREACHING ? "" : ", 'where node = \"up\"'"));
    }
    try (SlackStandIn slack = new SlackStandIn(); RedisUpFeed feed = new RedisUpFeed()) {
      feed.set("up", 1);
      rules.append("channels:\n  - {name: slack, type: slack, webhook_url: \"" + slack.webhookUrl() + "\"}\n");
      try (ClusterReplicas replicas = new ClusterReplicas(dir, 3, rules.toString(),
          "  shard_monitors: {replicas: 2}\n", PEER_TIMEOUT, feed).startAll()) {
        await(Duration.ofSeconds(30), () -> owners(replicas, List.of(0, 1, 2)).values().stream()
            .allMatch(n -> n == 2) && owners(replicas, List.of(0, 1, 2)).size() == MONITORS,
            "every monitor evaluated by two members");

        feed.set("s1", 0);
        await(Duration.ofSeconds(40), () -> slack.messages("FIRING", "node=\"s1\"").size() >= BREACHING,
            "a firing message per monitor", slack);
        Thread.sleep(SETTLED.toMillis());
        assertThat(perMonitor(slack, "FIRING")).hasSize(BREACHING).allSatisfy((monitor, n) -> assertThat(n).isEqualTo(1));

        long killedAt = System.currentTimeMillis();
        replicas.kill(0);
        await(Duration.ofSeconds(30), () -> owners(replicas, List.of(1, 2)).values().stream().allMatch(n -> n == 2)
            && owners(replicas, List.of(1, 2)).size() == MONITORS, "the monitors of the dead member taken over");
        System.out.printf("sharding: a member's monitors taken over %d ms after its kill -9%n",
            System.currentTimeMillis() - killedAt);
        Thread.sleep(SETTLED.toMillis());
        assertThat(slack.messages("FIRING", "node=\"s1\"")).as("nothing fires again").hasSize(BREACHING);
        for (int i : List.of(1, 2)) {
          assertThat(replicas.get(i, "/api/v1/alerts?state=firing").get("alerts")).hasSize(BREACHING);
        }

        feed.set("s1", 1);
        await(Duration.ofSeconds(40), () -> slack.messages("RESOLVED", "node=\"s1\"").size() >= BREACHING,
            "a resolved message per monitor", slack);
        Thread.sleep(SETTLED.toMillis());
        assertThat(perMonitor(slack, "RESOLVED")).hasSize(BREACHING).allSatisfy((monitor, n) -> assertThat(n).isEqualTo(1));
      }
    }
  }

  /** How many of these replicas evaluate each monitor, from their {@code /metrics}. */
  private static Map<String, Integer> owners(ClusterReplicas replicas, List<Integer> which) throws Exception {
    Map<String, Integer> owners = new TreeMap<>();
    for (int i : which) {
      Matcher m = EVALUATED_HERE.matcher(replicas.get(i, "/metrics").asText());
      while (m.find()) {
        owners.merge(m.group(1), 1, Integer::sum);
      }
    }
    return owners;
  }

  /** Messages of this status per monitor name. */
  private static Map<String, Integer> perMonitor(SlackStandIn slack, String status) {
    Map<String, Integer> counts = new TreeMap<>();
    IntStream.rangeClosed(1, MONITORS).forEach(m -> {
      String monitor = "Shard down %02d ".formatted(m);
      int n = (int) slack.messages(status, "node=\"s1\"").stream().filter(x -> x.subject().startsWith(monitor)).count();
      if (n > 0) {
        counts.put(monitor.strip(), n);
      }
    });
    return counts;
  }

  private static void await(Duration timeout, Callable<Boolean> condition, String what) throws Exception {
    await(timeout, condition, what, null);
  }

  private static void await(Duration timeout, Callable<Boolean> condition, String what, SlackStandIn slack)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not in " + timeout.toSeconds() + " s: " + what
            + (slack == null ? "" : "; messages: " + slack.messages()));
      }
      Thread.sleep(200);
    }
  }
}
