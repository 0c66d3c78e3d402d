package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import io.tocsin.Tocsin;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.Await;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.RuleHarness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration example of the README ({@code docs/alertmanager-migration}): the same firing
 * alerts go to a real Alertmanager running {@code alertmanager.yml} and to a Tocsin running
 * {@code tocsin.yml}, and both must route, mute and inhibit every alert alike at the same moment.
 * Alertmanager's answer is what it delivers to webhooks standing in for its receivers (one group
 * per alert, so that each delivery names one alert and one receiver), which receivers its API
 * lists for each alert, and which alerts it says are inhibited. Tocsin's is its alerts API.
 *
 * <p>The files' time interval is office hours in Europe/Berlin: whichever side of it the test
 * runs on, one of the two storage-warning routes is muted, and both systems judge the same now.
 */
class AlertmanagerMigrationTest {
  private static final Path EXAMPLE = Path.of("docs/alertmanager-migration");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The muting stages of Alertmanager 0.25 log this (at debug) for each group they hold back. */
  private static final Pattern MUTED_LOG = Pattern.compile(
      "Notifications not sent, route is (within mute time|not within active time)");

  @TempDir
  Path dir;

  private final RuleHarness harness = new RuleHarness();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Set<String> delivered = new TreeSet<>();
  private HttpServer receivers;

  @AfterEach
  void stopReceivers() {
    if (receivers != null) {
      receivers.stop(0);
    }
  }

  @Test
  void theExample_routesMutesAndInhibitsEveryAlertAsAlertmanagerDoes() throws Exception {
    Assumptions.assumeTrue(ExternalServer.installed(ExternalServer.ALERTMANAGER),
        "Alertmanager is not installed (Debian package prometheus-alertmanager): the comparison is skipped");
    try (Tocsin tocsin = harness.start(dir.resolve("tocsin"), tocsinRules())) {
      fire(tocsin);
      // Both judge time intervals at the real now; Tocsin's simulated clock moves there.
      harness.clock().set(Instant.now());
      Map<String, Decision> tocsinSays = decisions(tocsin);
      assertThat(tocsinSays.keySet()).containsExactly("Disk almost full n3", "Redis read hit rate low n1",
          "Redis read hit rate low n2", "Redis shard is down n1", "Redis shard is down n3");
      // The alert set covers the example: one inhibited alert, one muted route, nesting and the catch-all.
      assertThat(tocsinSays.get("Redis read hit rate low n1").inhibited()).isTrue();
      assertThat(tocsinSays.values()).anyMatch(d -> !d.muted().isEmpty());
      assertThat(tocsinSays.get("Redis shard is down n1").receivers()).containsExactly("pager", "storage-oncall");
      assertThat(tocsinSays.get("Disk almost full n3").receivers()).containsExactly("team-chat");
      assertThat(tocsinSays.get("Redis read hit rate low n1").receivers()).containsExactly("pager", "storage-oncall");

      try (ExternalServer alertmanager = ExternalServer.alertmanager(dir.resolve("alertmanager"),
          alertmanagerConfig(startReceivers()), "--log.level=debug")) {
        post(alertmanager, tocsin, tocsinSays.keySet());
        Map<String, Decision> expectedFromApi = new TreeMap<>();
        tocsinSays.forEach((alert, d) -> expectedFromApi.put(alert, new Decision(d.receivers(), d.inhibited(),
            Set.of())));
        Await.until("Alertmanager's receivers and inhibitions equal Tocsin's", Duration.ofSeconds(60),
            () -> alertmanagerDecisions(alertmanager), expectedFromApi::equals);

        Set<String> expectedDeliveries = new TreeSet<>();
        long mutedGroups = 0;
        for (Map.Entry<String, Decision> e : tocsinSays.entrySet()) {
          if (e.getValue().inhibited()) {
            continue;
          }
          for (String receiver : e.getValue().receivers()) {
            if (!e.getValue().muted().contains(receiver)) {
              expectedDeliveries.add(receiver + " <- " + e.getKey());
            }
          }
          mutedGroups += e.getValue().muted().size();
        }
        long expectedMuted = mutedGroups;
        Await.until("Alertmanager's deliveries equal Tocsin's and its muted groups are logged",
            Duration.ofSeconds(60), () -> List.of(deliveries(), mutedLogLines(alertmanager)),
            seen -> seen.get(0).equals(expectedDeliveries) && (Long) seen.get(1) >= expectedMuted);
      }
    }
  }

  /** What a system does with one alert: the receivers its routes name, whether it is inhibited, the receivers muted now. */
  private record Decision(Set<String> receivers, boolean inhibited, Set<String> muted) {}

  /** The example's rule file with log channels of the same names: the comparison needs no vendor. */
  private static String tocsinRules() throws IOException {
    ObjectNode rules = (ObjectNode) YAML.readTree(EXAMPLE.resolve("tocsin.yml").toFile());
    ArrayNode channels = YAML.createArrayNode();
    rules.get("channels").forEach(c -> channels.addObject().put("name", c.get("name").asText()).put("type", "log"));
    rules.set("channels", channels);
    // The data is written at the simulated clock's minutes; evaluate them as they come.
    rules.get("monitors").forEach(m -> ((ObjectNode) m).put("evaluation_delay", "0s"));
    return YAML.writeValueAsString(rules);
  }

  /**
   * Cluster c1: n1 is down with a critically low hit rate (inhibited by the down alert), n2 has a
   * hit rate low enough for a warning, n3 is down and its disk is almost full.
   */
  private void fire(Tocsin tocsin) {
    for (int minute = 0; minute <= 3; minute++) {
      long at = RuleHarness.T0.toEpochMilli() + minute * 60_000L + 10_000;
      write(tocsin, "redis_up", Map.of("n1", 0.0, "n2", 1.0, "n3", 0.0), at);
      write(tocsin, "redis_keyspace_read_hits", Map.of("n1", 30.0, "n2", 60.0, "n3", 90.0), at);
      write(tocsin, "redis_keyspace_read_misses", Map.of("n1", 70.0, "n2", 40.0, "n3", 10.0), at);
      write(tocsin, "node_filesystem_free_ratio", Map.of("n1", 0.5, "n2", 0.5, "n3", 0.05), at);
    }
    for (int minute = 1; minute <= 3; minute++) {
      harness.evaluateAt(tocsin, minute);
    }
  }

  private static void write(Tocsin tocsin, String metric, Map<String, Double> byNode, long at) {
    byNode.forEach((node, v) -> tocsin.store().write(metric, MetricKind.GAUGE, Labels.of("cluster", "c1", "node", node),
        s -> s.append(at, v)));
  }

  /** Tocsin's firing alerts by "monitor node": their routes' channels, inhibition and muted channels. */
  private Map<String, Decision> decisions(Tocsin tocsin) throws Exception {
    JsonNode alerts = JSON.readTree(get("http://127.0.0.1:" + tocsin.httpPort() + "/api/v1/alerts?state=firing"))
        .get("alerts");
    Map<String, Decision> decisions = new TreeMap<>();
    for (JsonNode alert : alerts) {
      Set<String> receivers = new TreeSet<>();
      Set<String> muted = new TreeSet<>();
      for (JsonNode route : alert.get("routes")) {
        route.get("channels").forEach(c -> receivers.add(c.asText()));
        if (!route.get("muted").isNull()) {
          route.get("channels").forEach(c -> muted.add(c.asText()));
        }
      }
      decisions.put(alert.get("monitor").asText() + " " + alert.get("labels").get("node").asText(),
          new Decision(receivers, alert.has("inhibited_by"), muted));
    }
    return decisions;
  }

  /** A webhook per receiver, at {@code /<receiver>}, recording "receiver <- alertname node" per alert it gets. */
  private String startReceivers() throws IOException {
    receivers = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receivers.createContext("/", exchange -> {
      String receiver = exchange.getRequestURI().getPath().substring(1);
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      synchronized (delivered) {
        for (JsonNode alert : body.get("alerts")) {
          delivered.add(receiver + " <- " + key(alert.get("labels")));
        }
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receivers.start();
    return "http://127.0.0.1:" + receivers.getAddress().getPort();
  }

  private Set<String> deliveries() {
    synchronized (delivered) {
      return new TreeSet<>(delivered);
    }
  }

  /**
   * The example's Alertmanager file with webhooks for its receivers, and one group per alert
   * ({@code group_by: ['...']}) sent two seconds after it arrives (time for the inhibitor to see
   * every alert): routing, muting and inhibition are unchanged.
   */
  private static String alertmanagerConfig(String receiversUrl) throws IOException {
    ObjectNode config = (ObjectNode) YAML.readTree(EXAMPLE.resolve("alertmanager.yml").toFile());
    ObjectNode route = (ObjectNode) config.get("route");
    route.putArray("group_by").add("...");
    route.put("group_wait", "2s");
    ArrayNode webhooks = YAML.createArrayNode();
    for (JsonNode receiver : config.get("receivers")) {
      String name = receiver.get("name").asText();
      webhooks.addObject().put("name", name).putArray("webhook_configs").addObject()
          .put("url", receiversUrl + "/" + name).put("send_resolved", false);
    }
    config.set("receivers", webhooks);
    return YAML.writeValueAsString(config);
  }

  /** Posts Tocsin's firing alerts, with the labels its notifications carry, to Alertmanager. */
  private void post(ExternalServer alertmanager, Tocsin tocsin, Set<String> keys) throws Exception {
    ArrayNode alerts = JSON.createArrayNode();
    for (MonitorStatus status : tocsin.engine().monitors()) {
      status.groups().forEach(group -> {
        String key = status.definition().name() + " " + group.labels().asMap().get("node");
        if (!keys.contains(key)) {
          return;
        }
        ObjectNode labels = alerts.addObject().putObject("labels");
        labels.put("alertname", status.definition().name());
        status.definition().labels().forEach(labels::put);
        group.labels().asMap().forEach(labels::put);
        if (group.severity() != null) {
          labels.put("severity", group.severity());
        }
      });
    }
    assertThat(alerts).hasSize(keys.size());
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(alertmanager.url() + "/api/v2/alerts"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(alerts.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** Alertmanager's view of each alert: the receivers its routes name, and whether it is inhibited. */
  private Map<String, Decision> alertmanagerDecisions(ExternalServer alertmanager) throws Exception {
    Map<String, Decision> decisions = new TreeMap<>();
    for (JsonNode alert : JSON.readTree(get(alertmanager.url() + "/api/v2/alerts"))) {
      Set<String> names = new TreeSet<>();
      alert.get("receivers").forEach(r -> names.add(r.get("name").asText()));
      decisions.put(key(alert.get("labels")), new Decision(names, !alert.get("status").get("inhibitedBy").isEmpty(),
          Set.of()));
    }
    return decisions;
  }

  private static long mutedLogLines(ExternalServer alertmanager) throws IOException {
    Matcher m = MUTED_LOG.matcher(alertmanager.output());
    long count = 0;
    while (m.find()) {
      count++;
    }
    return count;
  }

  private static String key(JsonNode labels) {
    return labels.get("alertname").asText() + " " + labels.get("node").asText();
  }

  private String get(String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
    return response.body();
  }
}
