package io.tocsin.notify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one channel is told about one evaluation of one monitor: every alert that changed, in one
 * message, so that a hundred shards failing together make one message and not a hundred. On an
 * aggregating route ({@link #route()} not empty), what one aggregation group holds instead, which
 * may span monitors: then each alert names its own monitor ({@link Alert#source()}) and the
 * monitor fields describe the subject, the monitor when every alert is of one, else {@code
 * monitorId} empty, a name of the monitors' names and the group's labels and a link to the alerts page.
 *
 * @param id unique and ordered by creation within a channel's outbox
 * @param monitorLabels the monitor's {@code labels:}, added to every alert
 * @param unit the unit of the checked column, for formatting values; may be empty
 * @param link the monitor's page on the status page
 * @param test whether this is a test message sent on request, not a real alert
 * @param bucketMillis the monitor's {@code grouping_interval}: in a cluster, two events of one
 *     alert this close are one transition that two replicas saw a bucket apart; 0 when not known
 * @param route the path of the aggregating route whose group this is; empty for one monitor's evaluation
 * @param groupLabels the aggregation group's labels (its {@code group_by} values); empty without a route
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
    long bucketMillis,
    String route,
    Map<String, String> groupLabels) {
  /** How many monitor names a subject made of several lists before "and N more". */
  private static final int NAMES_SHOWN = 3;

  public Notification {
    monitorLabels = Map.copyOf(monitorLabels);
    alerts = List.copyOf(alerts);
    route = route == null ? "" : route;
    groupLabels = groupLabels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(groupLabels));
  }

  /** One evaluation of one monitor. */
  public Notification(String id, String channel, String monitorId, String monitor, Map<String, String> monitorLabels,
      String unit, String link, List<Alert> alerts, long createdAt, boolean test, long bucketMillis) {
    this(id, channel, monitorId, monitor, monitorLabels, unit, link, alerts, createdAt, test, bucketMillis, "",
        Map.of());
  }

  /** Without the bucket length: test messages, and notifications of tests. */
  public Notification(String id, String channel, String monitorId, String monitor, Map<String, String> monitorLabels,
      String unit, String link, List<Alert> alerts, long createdAt, boolean test) {
    this(id, channel, monitorId, monitor, monitorLabels, unit, link, alerts, createdAt, test, 0);
  }

  /**
   * What an aggregation group of {@code route} tells {@code channel}: every alert carries its
   * {@link Alert#source()}; {@code alertsLink} is where the subject links when the alerts span monitors.
   */
  public static Notification grouped(String id, String channel, String route, Map<String, String> groupLabels,
      List<Alert> alerts, long createdAt, String alertsLink) {
    List<Alert.Source> monitors = alerts.stream().map(Alert::source).distinct().toList();
    if (monitors.size() == 1) {
      Alert.Source m = monitors.get(0);
      return new Notification(id, channel, m.monitorId(), m.monitor(), m.monitorLabels(), m.unit(), m.link(), alerts,
          createdAt, false, 0, route, groupLabels);
    }
    List<String> names = monitors.stream().map(Alert.Source::monitor).distinct().toList();
    String subject = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())))
        + (names.size() > NAMES_SHOWN ? " and " + (names.size() - NAMES_SHOWN) + " more" : "")
        + (groupLabels.isEmpty() ? "" : " " + Messages.labels(groupLabels));
    return new Notification(id, channel, "", subject, Map.of(), "", alertsLink, alerts, createdAt, false, 0, route,
        groupLabels);
  }

  /**
   * The same notification carrying only {@code some} of its alerts; of a group, with the subject
   * of those alerts, so that a channel sending one request per alert describes each by its monitor.
   */
  public Notification withAlerts(List<Alert> some) {
    if (!route.isEmpty() && !some.isEmpty()) {
      return grouped(id, channel, route, groupLabels, some, createdAt, spansMonitors() ? link : "");
    }
    return new Notification(id, channel, monitorId, monitor, monitorLabels, unit, link, some, createdAt, test,
        bucketMillis, route, groupLabels);
  }

  /** Whether the alerts are of more than one monitor, so that each must say which. */
  public boolean spansMonitors() {
    return !route.isEmpty() && monitorId.isEmpty();
  }

  /** This notification split by the monitors of its alerts: itself when they are of one. */
  public List<Notification> perMonitor() {
    if (!spansMonitors()) {
      return List.of(this);
    }
    Map<Alert.Source, List<Alert>> byMonitor = new LinkedHashMap<>();
    for (Alert alert : alerts) {
      byMonitor.computeIfAbsent(alert.source(), m -> new ArrayList<>()).add(alert);
    }
    return byMonitor.values().stream().map(this::withAlerts).toList();
  }

  /** The monitor {@code alert} is of. */
  public Alert.Source sourceOf(Alert alert) {
    return alert.source() != null ? alert.source() : new Alert.Source(monitorId, monitor, monitorLabels, unit, link);
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
    return labelsOf(sourceOf(alert), alert);
  }

  /** The full label set of {@code alert} of monitor {@code source}, as routes, silences and messages see it. */
  static Map<String, String> labelsOf(Alert.Source source, Alert alert) {
    Map<String, String> all = new TreeMap<>();
    all.put("alertname", source.monitor());
    all.putAll(source.monitorLabels());
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
