package io.tocsin.notify;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one channel is told about one evaluation of one monitor: every alert that changed, in one
 * message, so that a hundred shards failing together make one message and not a hundred.
 *
 * @param id unique and ordered by creation within a channel's outbox
 * @param monitorLabels the monitor's {@code labels:}, added to every alert
 * @param unit the unit of the checked column, for formatting values; may be empty
 * @param link the monitor's page on the status page
 * @param test whether this is a test message sent on request, not a real alert
 * @param bucketMillis the monitor's {@code grouping_interval}: in a cluster, two events of one
 *     alert this close are one transition that two replicas saw a bucket apart; 0 when not known
 */
public record Notification(
    String id,
    String channel,
    String monitorId,
    String monitor,
    Map<String, String> monitorLabels,
    String unit,
    String link,
    List<Alert> alerts,
    long createdAt,
    boolean test,
    long bucketMillis) {

  public Notification {
    monitorLabels = Map.copyOf(monitorLabels);
    alerts = List.copyOf(alerts);
  }

  /** Without the bucket length: test messages, and notifications of tests. */
  public Notification(String id, String channel, String monitorId, String monitor, Map<String, String> monitorLabels,
      String unit, String link, List<Alert> alerts, long createdAt, boolean test) {
    this(id, channel, monitorId, monitor, monitorLabels, unit, link, alerts, createdAt, test, 0);
  }

  /** The same notification carrying only {@code some} of its alerts. */
  public Notification withAlerts(List<Alert> some) {
    return new Notification(id, channel, monitorId, monitor, monitorLabels, unit, link, some, createdAt, test,
        bucketMillis);
  }

  /** Firing and repeated alerts. */
  public List<Alert> firing() {
    return alerts.stream().filter(a -> !a.isResolved()).toList();
  }

  public List<Alert> resolved() {
    return alerts.stream().filter(Alert::isResolved).toList();
  }

  /** {@code firing} when any alert still fires, else {@code resolved}; as Alertmanager sets a group's status. */
  public String status() {
    return firing().isEmpty() ? "resolved" : "firing";
  }

  /**
   * An alert's full label set: the monitor name as {@code alertname}, the monitor's labels, then
   * the group's, and the level it is at as {@code severity} for a monitor with levels.
   */
  public Map<String, String> labelsOf(Alert alert) {
    Map<String, String> all = new TreeMap<>();
    all.put("alertname", monitor);
    all.putAll(monitorLabels);
    all.putAll(alert.labels());
    if (!alert.severity().isEmpty()) {
      all.put("severity", alert.severity());
    }
    return all;
  }

  /** The labels every alert shares, as Alertmanager's {@code commonLabels}. */
  public Map<String, String> commonLabels() {
    Map<String, String> common = null;
    for (Alert alert : alerts) {
      Map<String, String> labels = labelsOf(alert);
      if (common == null) {
        common = new TreeMap<>(labels);
      } else {
        common.entrySet().removeIf(e -> !e.getValue().equals(labels.get(e.getKey())));
      }
    }
    return common == null ? Map.of("alertname", monitor) : common;
  }
}
