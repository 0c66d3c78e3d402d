package io.tocsin.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.RuleHarness;
import io.tocsin.util.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Two monitors of one cluster, "Shard is down" (below 1) and "Shard degraded" (below 2), so that a
 * node at 0 fires both and a node at 1.5 only the second, a webhook channel {@code hook} to a real
 * receiver, and routes that aggregate; on a simulated clock from {@link RuleHarness#T0}. Monitors
 * evaluate at whole minutes; the groups' timers are driven second by second with {@link #tick}.
 */
final class GroupingFixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The monitors and the channel; format with the webhook's URL. */
  static final String MONITORS = """
      monitors:
        - name: Shard is down
          metrics: [redis_up as $up]
          query: [group by node, $up]
          min_allowed_value: 1
          for_duration: 1m
          evaluation_delay: 0s
          labels: {cluster: c1}
        - name: Shard degraded
          metrics: [redis_up as $up]
          query: [group by node, $up]
          min_allowed_value: 2
          for_duration: 1m
          evaluation_delay: 0s
          labels: {cluster: c1}
      channels:
        - {name: hook, type: webhook, url: "%s"}
      """;

  /** Grouping set on the parent, channels on a child that inherits it. */
  static final String ROUTES = """
      routes:
        - matchers: ['cluster="c1"']
          group_by: [cluster]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 10m
          routes:
            - matchers: ['alertname=~"Shard.*"']
              channels: [hook]
      """;

  final RuleHarness harness = new RuleHarness();
  final MutableClock clock = harness.clock();
  final RecordingReceiver receiver = RecordingReceiver.start("/hook");

  /** The rule file: the monitors, the channel and {@code routes}. */
  String rules(String routes) {
    return MONITORS.formatted(receiver.url("/hook")) + routes;
  }

  Tocsin start(Path dataDir, String routes) throws Exception {
    return harness.start(dataDir, rules(routes));
  }

  /** Sets the clock to {@code seconds} after T0 and lets the groups' timers run. */
  void tick(Tocsin tocsin, int seconds) {
    clock.set(RuleHarness.T0.plus(Duration.ofSeconds(seconds)));
    tocsin.evaluateMonitors();
  }

  /** Each webhook the receiver got, in order, as {@code status groupLabels: state alertname node, ...}. */
  List<String> received() throws Exception {
    List<String> messages = new ArrayList<>();
    for (RecordingReceiver.Request r : receiver.requests()) {
      JsonNode body = JSON.readTree(r.body());
      List<String> alerts = new ArrayList<>();
      for (JsonNode a : body.get("alerts")) {
        alerts.add(a.get("status").asText() + " " + a.at("/labels/alertname").asText() + " "
            + a.at("/labels/node").asText());
      }
      messages.add(body.get("status").asText() + " " + body.get("groupLabels") + ": " + String.join(", ", alerts));
    }
    return messages;
  }

  @Override
  public void close() {
    receiver.close();
  }
}
