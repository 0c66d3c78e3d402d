package io.tocsin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Replicas of one Tocsin cluster, each a real {@code tocsin serve} process with its own data
 * directory, on loopback: cluster ports chosen free at construction, the same rule files, every
 * replica fed by one {@link RedisUpFeed}. Replica {@code i} keeps its index (and its cluster
 * address, so its member name) across kills and restarts; its position in the view changes.
 */
public final class ClusterReplicas implements AutoCloseable {
  public static final String SECRET = "cluster-test-secret-7f3a9c";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path dir;
  private final int[] clusterPorts;
  /** Written by the thread that (re)starts a replica, read by others. */
  private final AtomicReferenceArray<JarProcess> processes;
  private final String clusterExtra;
  private final Duration peerTimeout;
  private final RedisUpFeed feed;

  /**
   * @param rules the YAML of the one rule file every replica loads
   * @param clusterExtra more keys of the {@code cluster:} section, indented by two spaces, or ""
   */
  public ClusterReplicas(Path dir, int replicas, String rules, String clusterExtra, RedisUpFeed feed)
      throws IOException {
    this(dir, replicas, rules, clusterExtra, Duration.ofSeconds(2), feed);
  }

  /** With this {@code peer_timeout} instead of 2 s. */
  public ClusterReplicas(Path dir, int replicas, String rules, String clusterExtra, Duration peerTimeout,
      RedisUpFeed feed) throws IOException {
    this.peerTimeout = peerTimeout;
    this.dir = dir;
    this.clusterPorts = TestClusters.freePorts(replicas).stream().mapToInt(Integer::intValue).toArray();
    this.processes = new AtomicReferenceArray<>(replicas);
    this.clusterExtra = clusterExtra;
    this.feed = feed;
    Files.createDirectories(dir.resolve("rules"));
    Files.writeString(dir.resolve("rules/cluster.yml"), rules);
  }

  /**
   * The rule file of the cluster tests and benchmark: the seed's shard-down monitor at 1 s buckets,
   * firing after 3 s, notifying the Slack stand-in.
   */
  public static String shardDownRules(SlackStandIn slack) {
    return """
        monitors:
          - name: Redis shard is down
            metrics: [redis_up as $redis_up]
            query: [group by node, $redis_up]
            min_allowed_value: 1
            grouping_interval: 1s
            for_duration: 3s
        channels:
          - {name: slack, type: slack, webhook_url: "%s"}
        """.formatted(slack.webhookUrl());
  }

  public int size() {
    return processes.length();
  }

  /** The member name of replica {@code i}: its cluster address. */
  public String member(int i) {
    return "127.0.0.1:" + clusterPorts[i];
  }

  /** Starts every replica, one after the other (so positions follow indexes), and waits for one view. */
  public ClusterReplicas startAll() throws Exception {
    for (int i = 0; i < processes.length(); i++) {
      start(i);
    }
    awaitView(processes.length());
    return this;
  }

  /** Starts replica {@code i} with {@link #SECRET} and begins feeding it. */
  public JarProcess start(int i) throws Exception {
    return start(i, SECRET);
  }

  /** Starts replica {@code i} with this cluster secret (null: none) and begins feeding it. */
  public JarProcess start(int i, String secret) throws Exception {
    JarProcess process = serve("r" + i, member(i), secret);
    processes.set(i, process);
    feed.attach(process);
    return process;
  }

  /**
   * Starts a process that knows the replicas' addresses and tries to join with this secret (null:
   * none), on a port of its own; it is not fed and not one of the replicas. Close it after use.
   */
  public JarProcess startOutsider(String secret) throws Exception {
    return serve("outsider", "127.0.0.1:" + TestClusters.freePorts(1).get(0), secret);
  }

  private JarProcess serve(String name, String bind, String secret) throws Exception {
    Path config = dir.resolve(name + ".yml");
    List<String> all = new ArrayList<>(IntStream.range(0, processes.length()).mapToObj(this::member).toList());
    if (!all.contains(bind)) {
      all.add(bind);
    }
    Files.writeString(config, """
        data_dir: %s
        rule_files: ["%s/*.yml"]
        external_url: http://%s.example
        listen: {otlp_grpc: "127.0.0.1:0", otlp_http: "127.0.0.1:0", http: "127.0.0.1:0"}
        cluster:
          name: it
          bind: %s
          members: [%s]
          peer_timeout: %dms
        %s%s""".formatted(dir.resolve(name + "-data"), dir.resolve("rules"), name, bind, String.join(", ", all),
        peerTimeout.toMillis(), secret == null ? "" : "  secret: ${TOCSIN_CLUSTER_SECRET}\n", clusterExtra));
    return JarProcess.serve(config, secret == null ? Map.of() : Map.of("TOCSIN_CLUSTER_SECRET", secret));
  }

  public Path dataDir(int i) {
    return dir.resolve("r" + i + "-data");
  }

  /** kill -9 of replica {@code i}; its feed stops first, as the collector's exports to it would fail. */
  public void kill(int i) throws InterruptedException {
    feed.detach(processes.get(i));
    processes.get(i).kill();
  }

  /** Deletes replica {@code i}'s data directory (it must not be running). */
  public void wipe(int i) throws IOException {
    try (Stream<Path> paths = Files.walk(dataDir(i))) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  public JarProcess replica(int i) {
    return processes.get(i);
  }

  public boolean isAlive(int i) {
    return processes.get(i) != null && processes.get(i).isAlive();
  }

  /** {@code GET /api/v1/cluster} of replica {@code i}. */
  public JsonNode cluster(int i) throws Exception {
    return get(i, "/api/v1/cluster");
  }

  /** {@code GET /api/v1/cluster} of any Tocsin process. */
  public JsonNode clusterOf(JarProcess process) throws Exception {
    return get(process, "/api/v1/cluster");
  }

  /** The index of the live replica at view position {@code position}, as that replica reports it. */
  public int atPosition(int position) throws Exception {
    for (int i = 0; i < processes.length(); i++) {
      if (isAlive(i) && cluster(i).path("position").asInt(-1) == position) {
        return i;
      }
    }
    throw new AssertionError("no live replica at position " + position);
  }

  /** Waits until every live replica sees a view of {@code members} members, the same on all. */
  public void awaitView(int members) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      List<String> views = new ArrayList<>();
      for (int i = 0; i < processes.length(); i++) {
        if (isAlive(i)) {
          views.add(cluster(i).path("members").toString());
        }
      }
      if (views.size() == members && views.stream().distinct().count() == 1
          && JSON.readTree(views.get(0)).size() == members) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no common view of " + members + " members in 60 s; views: " + views);
      }
      Thread.sleep(100);
    }
  }

  public JsonNode get(int i, String path) throws Exception {
    return get(processes.get(i), path);
  }

  /** A JSON answer of {@code process}; {@code /metrics} as one text node. */
  public static JsonNode get(JarProcess process, String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(process, path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (path.equals("/metrics")) {
      return JSON.getNodeFactory().textNode(response.body());
    }
    return JSON.readTree(response.body());
  }

  public JsonNode post(int i, String path, String json) throws Exception {
    return post(processes.get(i), path, json);
  }

  public static JsonNode post(JarProcess process, String path, String json) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(process, path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new AssertionError("POST " + path + ": " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private static URI uri(JarProcess process, String path) {
    return URI.create("http://127.0.0.1:" + process.httpPort() + path);
  }

  @Override
  public void close() throws Exception {
    for (int i = 0; i < processes.length(); i++) {
      JarProcess p = processes.get(i);
      if (p != null) {
        feed.detach(p);
        p.close();
      }
    }
  }
}
