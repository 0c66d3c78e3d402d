package io.tocsin.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a message template sees: the documented data model (README, "Message templates"). Values
 * are strings already formatted the way Tocsin's default messages show them (times in UTC,
 * values with the column's unit), so a template never formats numbers itself; raw numbers are
 * there too for templates that build JSON.
 *
 * <pre>
 * title, status, severity, link, test, count, firing_count, resolved_count
 * monitor: {id, name, unit, labels}
 * group_labels, common_labels, common_annotations: {name: value}   (+ _list: [{name, value}])
 * alerts, firing, resolved: [{status, state, severity, labels, labels_list, labels_text, value, raw_value,
 *   threshold, raw_threshold, active_at, fired_at, resolved_at, since, fired_for, description,
 *   annotations, summary, fingerprint, monitor}]
 * </pre>
 */
public final class TemplateModel {
  private TemplateModel() {}

  /** The scope of {@code notification}'s templates. */
  public static Map<String, Object> of(Notification n) {
    Map<String, Object> scope = new LinkedHashMap<>();
    Map<String, String> common = n.commonLabels();
    scope.put("title", Messages.title(n));
    scope.put("status", n.status());
    scope.put("severity", common.getOrDefault("severity", ""));
    scope.put("link", n.link());
    scope.put("test", n.test());
    scope.put("count", n.alerts().size());
    scope.put("firing_count", n.firing().size());
    scope.put("resolved_count", n.resolved().size());
    Map<String, Object> monitor = new LinkedHashMap<>();
    monitor.put("id", n.monitorId());
    monitor.put("name", n.monitor());
    monitor.put("unit", n.unit());
    monitor.put("labels", n.monitorLabels());
    scope.put("monitor", monitor);
    Map<String, String> group = new TreeMap<>(common);
    group.remove("alertname");
    group.keySet().removeAll(n.monitorLabels().keySet());
    if (!n.route().isEmpty()) {
      group = new TreeMap<>(n.groupLabels());
    }
    putLabels(scope, "group_labels", group);
    putLabels(scope, "common_labels", common);
    putLabels(scope, "common_annotations", commonAnnotations(n));
    List<Map<String, Object>> firing = new ArrayList<>();
    List<Map<String, Object>> resolved = new ArrayList<>();
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (Alert a : n.alerts()) {
      Map<String, Object> alert = alert(n, a);
      alerts.add(alert);
      (a.isResolved() ? resolved : firing).add(alert);
    }
    scope.put("alerts", alerts);
    scope.put("firing", firing);
    scope.put("resolved", resolved);
    return scope;
  }

  private static Map<String, Object> alert(Notification n, Alert a) {
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("status", a.isResolved() ? "resolved" : "firing");
    alert.put("state", Messages.state(n, a));
    alert.put("severity", a.severity());
    Map<String, String> labels = a.labels();
    if (!a.severity().isEmpty()) {
      labels = new TreeMap<>(labels);
      labels.put("severity", a.severity());
    }
    putLabels(alert, "labels", labels);
    alert.put("labels_text", Messages.labels(labels));
    Alert.Source source = n.sourceOf(a);
    alert.put("monitor", source.monitor());
    alert.put("value", Messages.value(a.value(), source.unit()));
    alert.put("raw_value", Messages.number(a.value()));
    alert.put("threshold", Messages.value(a.threshold(), source.unit()));
    alert.put("raw_threshold", Messages.number(a.threshold()));
    alert.put("active_at", a.activeAt() > 0 ? Messages.time(a.activeAt()) : "");
    alert.put("fired_at", a.firedAt() > 0 ? Messages.time(a.firedAt()) : "");
    alert.put("resolved_at", a.resolvedAt() > 0 ? Messages.time(a.resolvedAt()) : "");
    alert.put("since", Messages.since(a.activeAt(), a.firedAt()));
    alert.put("fired_for", a.isResolved() && a.firedAt() > 0 ? Messages.firedFor(a) : "");
    alert.put("description", Messages.describe(n, a));
    alert.put("annotations", a.annotations());
    alert.put("summary", a.annotations().getOrDefault("summary", ""));
    alert.put("fingerprint", a.fingerprint());
    return alert;
  }

  private static void putLabels(Map<String, Object> scope, String key, Map<String, String> labels) {
    scope.put(key, labels);
    List<Map<String, String>> list = new ArrayList<>();
    new TreeMap<>(labels).forEach((name, value) -> list.add(Map.of("name", name, "value", value)));
    scope.put(key + "_list", list);
  }

  private static Map<String, String> commonAnnotations(Notification n) {
    Map<String, String> common = null;
    for (Alert a : n.alerts()) {
      if (common == null) {
        common = new TreeMap<>(a.annotations());
      } else {
        common.entrySet().removeIf(e -> !e.getValue().equals(a.annotations().get(e.getKey())));
      }
    }
    return common == null ? Map.of() : common;
  }
}
