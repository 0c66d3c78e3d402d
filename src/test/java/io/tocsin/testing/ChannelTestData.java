package io.tocsin.testing;

import io.tocsin.notify.Alert;
import io.tocsin.notify.Notification;
import io.tocsin.notify.NotifierContext;
import io.tocsin.rules.AlertEvent;
import io.tocsin.util.MutableClock;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Alerts and notifications of the seed's "Redis shard is down" monitor for the tests of the HTTP
 * channels (PagerDuty, Opsgenie, Teams, Google Chat, Mattermost, Discord), and a label value
 * carrying every format's markup.
 */
public final class ChannelTestData {
  public static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  public static final long MIN = 60_000;
  public static final String MONITOR_ID = "redis-shard-is-down";
  public static final String LINK = "http://tocsin.example/monitors/redis-shard-is-down";
  /** HTML, Markdown emphasis, mentions, a Markdown link, quotes and a line break. */
  public static final String HOSTILE = "<b>x</b> *y* _z_ @here @everyone [a](http://x) \"q\" `c`\n# h";

  private ChannelTestData() {}

  /** Went below the minimum 1 at T0 - 5m, fired at T0. */
  public static Alert firing(Map<String, String> labels, Map<String, String> annotations) {
    return new Alert(AlertEvent.Type.FIRING, labels, annotations, 0, 1, T0 - 5 * MIN, T0, 0, T0,
        MONITOR_ID + "-" + labels, "");
  }

  public static Alert firing(String node) {
    return firing(Map.of("node", node), Map.of("summary", "Shard " + node + " is down"));
  }

  /** Fired at T0, resolved at T0 + 10m. */
  public static Alert resolved(Map<String, String> labels) {
    return new Alert(AlertEvent.Type.RESOLVED, labels, Map.of(), 1, 1, T0 - 5 * MIN, T0, T0 + 10 * MIN,
        T0 + 10 * MIN, MONITOR_ID + "-" + labels, "");
  }

  public static Alert resolved(String node) {
    return resolved(Map.of("node", node));
  }

  public static Notification notification(String channel, List<Alert> alerts) {
    return notification(channel, Map.of(), alerts);
  }

  public static Notification notification(String channel, Map<String, String> monitorLabels, List<Alert> alerts) {
    return new Notification("000001", channel, MONITOR_ID, "Redis shard is down", monitorLabels, "", LINK, alerts, T0,
        false);
  }

  /**
   * What an aggregating route's group of {@code cluster="c1"} tells {@code channel}: "Redis shard is
   * down" fires for n1 (fired at T0), and "Redis hit rate" (unit %, monitor label {@code
   * cluster=c1}) has resolved for n2; the alerts span the two monitors.
   */
  public static Notification grouped(String channel) {
    Alert.Source down = new Alert.Source(MONITOR_ID, "Redis shard is down", Map.of("cluster", "c1"), "", LINK);
    Alert.Source hitRate = new Alert.Source("redis-hit-rate", "Redis hit rate", Map.of("cluster", "c1"), "%",
        "http://tocsin.example/monitors/redis-hit-rate");
    Alert hits = new Alert(AlertEvent.Type.RESOLVED, Map.of("node", "n2"), Map.of(), 93, 75, T0 - 5 * MIN, T0,
        T0 + 10 * MIN, T0 + 10 * MIN, "redis-hit-rate-n2", "");
    return Notification.grouped("000003", channel, "root/0", Map.of("cluster", "c1"),
        List.of(firing("n1").of(down), hits.of(hitRate)), T0 + 10 * MIN, "http://tocsin.example/#alerts");
  }

  /** The test message {@code POST /api/v1/channels/{name}/test} sends. */
  public static Notification testMessage(String channel) {
    Alert alert = new Alert(AlertEvent.Type.FIRING, Map.of("channel", channel),
        Map.of("summary", "A test message from Tocsin: this channel works."), 1, 0, T0, T0, 0, T0, "test-" + channel,
        "");
    return new Notification("000002", channel, "test", "Tocsin test notification", Map.of(), "",
        "http://tocsin.example/", List.of(alert), T0, true);
  }

  public static NotifierContext context(Path stateDir, Duration requestTimeout) {
    return new NotifierContext(MutableClock.at("2026-03-01T12:00:00Z"), stateDir, null, "http://tocsin.example",
        HttpClient.newHttpClient(), requestTimeout);
  }
}
