package io.tocsin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.tocsin.testing.ClusterReplicas;
import io.tocsin.testing.JarProcess;
import io.tocsin.testing.RedisUpFeed;
import io.tocsin.testing.ScratchDir;
import io.tocsin.testing.SlackStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figures for a cluster of three real {@code tocsin serve} processes on loopback ({@link
 * ClusterReplicas}, {@code peer_timeout: 2s}, 1 s buckets, {@code for_duration: 3s}), next to one
 * process without a cluster in the same run:
 * <ul>
 *   <li>notification latency: from the end of the bucket that fired an alert (its history entry's
 *       {@code at}) to the Slack stand-in receiving the message — one process, and the cluster
 *       (position 0 delivers; the difference is what the cluster adds);
 *   <li>failover: position 0 killed (-9), or frozen (SIGSTOP), while the alert is pending; the
 *       same latency for the message position 1 delivers, and the time from the kill;
 *   <li>cluster traffic ({@code tocsin_cluster_sent_bytes_total} summed over the members) while N
 *       groups go from ok to firing and resolve, and per second while they fire, with and without
 *       {@code shard_monitors}.
 * </ul>
 * Prints, never asserts. Run with {@code bench/run cluster [groups]} (default 1000).
 */
public final class ClusterBenchmark {
  private static final int ROUNDS = 5;
  private static final Pattern SENT = Pattern.compile("(?m)^tocsin_cluster_sent_bytes_total (\\S+)$");

  public static void main(String[] args) throws Exception {
    int groups = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1000;
    System.out.printf(Locale.ROOT, "java %s, %d cores; 3 replicas on loopback, peer_timeout 2s, 1s buckets%n",
        Runtime.version(), Runtime.getRuntime().availableProcessors());
    try (ScratchDir scratch = ScratchDir.create("tocsin-cluster-bench")) {
      Path dir = scratch.path();
      try (SlackStandIn slack = new SlackStandIn(); RedisUpFeed feed = new RedisUpFeed()) {
        List<Long> alone = latencyAlone(dir.resolve("alone"), slack, feed);
        System.out.println("one process, bucket end -> Slack (ms): " + alone);
        List<Long> first;
        List<Long> failover = new ArrayList<>();
        List<Long> fromKill = new ArrayList<>();
        List<Long> frozen = new ArrayList<>();
        List<Long> fromFreeze = new ArrayList<>();
        try (ClusterReplicas replicas = new ClusterReplicas(dir.resolve("cluster"), 3,
            ClusterReplicas.shardDownRules(slack), "", feed)) {
          replicas.startAll();
          first = latencyInCluster(replicas, slack, feed);
          System.out.println("cluster position 0, bucket end -> Slack (ms): " + first);
          failover(replicas, slack, feed, false, failover, fromKill);
          System.out.println("failover, bucket end -> Slack (ms): " + failover + "; kill -> Slack: " + fromKill);
          failover(replicas, slack, feed, true, frozen, fromFreeze);
          System.out.println("position 0 frozen, bucket end -> Slack (ms): " + frozen + "; SIGSTOP -> Slack: "
              + fromFreeze);
          traffic(replicas, feed, groups, "no sharding");
        }
        try (ClusterReplicas replicas = new ClusterReplicas(dir.resolve("sharded"), 3, ClusterReplicas.shardDownRules(slack),
            "  shard_monitors: {replicas: 2}\n", feed)) {
          replicas.startAll();
          traffic(replicas, feed, groups, "shard_monitors.replicas 2");
        }
        System.out.printf(Locale.ROOT, "%nnotification latency, bucket end -> Slack (median of %d, ms): one process %d,"
            + " cluster position 0 %d (extra %+d)%n", ROUNDS, median(alone), median(first), median(first) - median(alone));
        System.out.printf(Locale.ROOT, "failover, position 0 killed while pending (median of %d, ms): bucket end -> "
            + "Slack %d (peer_timeout 2000), kill -> Slack %d; all: %s / %s%n", ROUNDS, median(failover),
            median(fromKill), failover, fromKill);
        System.out.printf(Locale.ROOT, "position 0 frozen (SIGSTOP) while pending (median of %d, ms): bucket end -> "
            + "Slack %d, SIGSTOP -> Slack %d%n", ROUNDS, median(frozen), median(fromFreeze));
      }
    }
  }

  private static List<Long> latencyAlone(Path dir, SlackStandIn slack, RedisUpFeed feed) throws Exception {
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(dir.resolve("rules/cluster.yml"), ClusterReplicas.shardDownRules(slack));
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, """
        data_dir: %s
        rule_files: ["%s/*.yml"]
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        """.formatted(dir.resolve("data"), dir.resolve("rules")));
    List<Long> latencies = new ArrayList<>();
    try (JarProcess tocsin = JarProcess.serve(config)) {
      feed.attach(tocsin);
      JarProcess http = tocsin;
      for (int round = 0; round < ROUNDS; round++) {
        latencies.add(latency(slack, feed, "alone" + round, http));
      }
      feed.detach(tocsin);
    }
    return latencies;
  }

  private static List<Long> latencyInCluster(ClusterReplicas replicas, SlackStandIn slack, RedisUpFeed feed)
      throws Exception {
    List<Long> latencies = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      latencies.add(latency(slack, feed, "first" + round, replicas.replica(replicas.atPosition(0))));
    }
    return latencies;
  }

  /** Breaks {@code node}, waits for its message, mends it; bucket end of the firing event to receipt. */
  private static long latency(SlackStandIn slack, RedisUpFeed feed, String node, JarProcess firer)
      throws Exception {
    feed.set(node, 0);
    await(Duration.ofSeconds(60), () -> !slack.messages("FIRING", "node=\"" + node + "\"").isEmpty());
    long received = slack.messages("FIRING", "node=\"" + node + "\"").get(0).receivedAtMs();
    long at = firingAt(firer, node);
    feed.set(node, 1);
    await(Duration.ofSeconds(60), () -> !slack.messages("RESOLVED", "node=\"" + node + "\"").isEmpty());
    return received - at;
  }

  /**
   * Position 0 killed (or, with {@code freeze}, stopped with SIGSTOP: a hung machine, which the
   * others notice only after their failure detection) while the alert pends; position 1 delivers.
   */
  private static void failover(ClusterReplicas replicas, SlackStandIn slack, RedisUpFeed feed, boolean freeze,
      List<Long> fromBucket, List<Long> fromKill) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      replicas.awaitView(3);
      String node = (freeze ? "frozen" : "failover") + round;
      int first = replicas.atPosition(0);
      int second = replicas.atPosition(1);
      feed.set(node, 0);
      JarProcess http = replicas.replica(first);
      await(Duration.ofSeconds(60), () -> ClusterReplicas.get(http, "/api/v1/alerts?state=pending").toString().contains(node));
      if (freeze) {
        replicas.replica(first).pause();
      } else {
        replicas.kill(first);
      }
      long killedAt = System.currentTimeMillis();
      await(Duration.ofSeconds(60), () -> !slack.messages("FIRING", "node=\"" + node + "\"").isEmpty());
      long received = slack.messages("FIRING", "node=\"" + node + "\"").get(0).receivedAtMs();
      fromBucket.add(received - firingAt(replicas.replica(second), node));
      fromKill.add(received - killedAt);
      feed.set(node, 1);
      if (freeze) {
        replicas.replica(first).resume();
      } else {
        replicas.start(first);
      }
    }
  }

  private static void traffic(ClusterReplicas replicas, RedisUpFeed feed, int groups, String what) throws Exception {
    replicas.awaitView(3);
    Thread.sleep(5_000);
    long idleFrom = sent(replicas);
    long idleAt = System.nanoTime();
    Thread.sleep(10_000);
    double idle = (sent(replicas) - idleFrom) / seconds(idleAt);

    long before = sent(replicas);
    long start = System.nanoTime();
    for (int g = 0; g < groups; g++) {
      feed.set("bulk" + g, 0);
    }
    JarProcess http = replicas.replica(0);
    await(Duration.ofSeconds(120), () -> firingGroups(http) >= groups);
    Thread.sleep(6_000); // every position's hold over
    long fired = sent(replicas);
    double firingSeconds = seconds(start);
    long steadyAt = System.nanoTime();
    Thread.sleep(10_000);
    double steady = (sent(replicas) - fired) / seconds(steadyAt);
    for (int g = 0; g < groups; g++) {
      feed.set("bulk" + g, 1);
    }
    await(Duration.ofSeconds(120), () -> firingGroups(http) == 0);
    Thread.sleep(6_000);
    long resolved = sent(replicas);
    for (int g = 0; g < groups; g++) {
      feed.remove("bulk" + g);
    }
    System.out.printf(Locale.ROOT, "cluster traffic (%s, all members): idle %.0f B/s; %d groups going firing: "
        + "%,d B in %.1f s; while they fire %.0f B/s; resolving them: %,d B%n", what, idle, groups, fired - before,
        firingSeconds, steady, resolved - fired);
  }

  private static long firingGroups(JarProcess tocsin) throws Exception {
    long firing = 0;
    for (JsonNode monitor : ClusterReplicas.get(tocsin, "/api/v1/monitors").get("monitors")) {
      firing += monitor.path("groups_firing").asLong();
    }
    return firing;
  }

  private static long sent(ClusterReplicas replicas) throws Exception {
    long total = 0;
    for (int i = 0; i < replicas.size(); i++) {
      if (replicas.isAlive(i)) {
        Matcher m = SENT.matcher(replicas.get(i, "/metrics").asText());
        if (m.find()) {
          total += (long) Double.parseDouble(m.group(1));
        }
      }
    }
    return total;
  }

  private static long firingAt(JarProcess http, String node) throws Exception {
    for (JsonNode e : ClusterReplicas.get(http, "/api/v1/alerts/history?limit=1000").get("history")) {
      if (e.path("type").asText().equals("firing") && e.path("labels").path("node").asText().equals(node)) {
        return e.get("at").asLong();
      }
    }
    throw new IllegalStateException("no firing entry for " + node);
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static void await(Duration timeout, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not in " + timeout);
      }
      Thread.sleep(20);
    }
  }
}
