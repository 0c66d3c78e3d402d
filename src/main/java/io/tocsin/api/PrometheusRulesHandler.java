package io.tocsin.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tocsin.rules.ActiveGroups;
import io.tocsin.rules.Annotations;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.store.Labels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Prometheus' alerting read API ({@code /api/v1/rules}, {@code /api/v1/alerts}) under {@code
 * /api/prometheus}, in its JSON shapes, so that Grafana's data source-managed alert view and
 * other Prometheus tools list Tocsin's monitors and alerts. A rule file is a rule group (named
 * by its path, as Prometheus names a group it has no name for), a monitor is an alerting rule,
 * its pending and firing groups are the rule's alerts.
 *
 * <p>An answer holds at most {@link #MAX_ALERTS} alerts in all (firing before pending, then by
 * labels, monitor by monitor): Prometheus' API has no paging, and a monitor can have hundreds
 * of thousands of firing groups. When some were left out, the answer says so in Prometheus'
 * {@code warnings}; every rule's {@code state} still counts all its groups.
 */
final class PrometheusRulesHandler {
  static final int MAX_ALERTS = 10_000;

  private final MonitorEngine engine;

  PrometheusRulesHandler(MonitorEngine engine) {
    this.engine = engine;
  }

  /** {@code type=alert|record}, {@code rule_name[]}, {@code rule_group[]}, {@code file[]}; other parameters are ignored, as by Prometheus. */
  void rules(Context ctx) {
    String type = ctx.queryParam("type");
    if (type != null && !type.equals("alert") && !type.equals("record")) {
      badData(ctx, "invalid parameter \"type\": not supported value \"" + type + "\"");
      return;
    }
    boolean alerting = !"record".equals(type);
    List<String> names = ctx.queryParams("rule_name[]");
    List<String> groups = ctx.queryParams("rule_group[]");
    List<String> files = ctx.queryParams("file[]");
    boolean filtered = !names.isEmpty() || !groups.isEmpty() || !files.isEmpty();
    Predicate<MonitorDefinition> wanted = d -> alerting && (names.isEmpty() || names.contains(d.name()))
        && (groups.isEmpty() || groups.contains(file(d))) && (files.isEmpty() || files.contains(file(d)));
    List<ActiveGroups> monitors = engine.active(wanted, MAX_ALERTS);
    Map<String, List<ActiveGroups>> byFile = new LinkedHashMap<>();
    for (ActiveGroups a : monitors) {
      byFile.computeIfAbsent(file(a.status().definition()), f -> new ArrayList<>()).add(a);
    }
    List<Map<String, Object>> answer = new ArrayList<>();
    byFile.forEach((file, inFile) -> {
      List<ActiveGroups> listed = inFile.stream().filter(a -> wanted.test(a.status().definition())).toList();
      // Filters drop a group left empty, as Prometheus does; type=record lists each, empty, as 2.42 does.
      if (!filtered || !listed.isEmpty()) {
        answer.add(group(file, inFile, listed));
      }
    });
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("groups", answer);
    success(ctx, data, leftOut(monitors.stream().filter(a -> wanted.test(a.status().definition())).toList()));
  }

  void alerts(Context ctx) {
    List<ActiveGroups> active = engine.active(d -> true, MAX_ALERTS);
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (ActiveGroups a : active) {
      alerts.addAll(alerts(a.status()));
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("alerts", alerts);
    success(ctx, data, leftOut(active));
  }

  /** A rule file as a group: its figures are those of all its monitors, its rules the ones listed. */
  private static Map<String, Object> group(String file, List<ActiveGroups> inFile, List<ActiveGroups> listed) {
    long interval = Long.MAX_VALUE;
    double evaluationSeconds = 0;
    long lastEvaluation = 0;
    for (ActiveGroups a : inFile) {
      interval = Math.min(interval, a.status().definition().groupingInterval().toMillis());
      evaluationSeconds += a.status().evaluationMillis() / 1000;
      lastEvaluation = Math.max(lastEvaluation, a.status().lastEvaluationMs());
    }
    Map<String, Object> group = new LinkedHashMap<>();
    group.put("name", file);
    group.put("file", file);
    group.put("rules", listed.stream().map(PrometheusRulesHandler::rule).toList());
    // Monitors of one file may have different grouping intervals; a group has one: the shortest.
    group.put("interval", PrometheusFormat.seconds(interval));
    group.put("limit", 0);
    group.put("evaluationTime", evaluationSeconds);
    group.put("lastEvaluation", PrometheusFormat.time(lastEvaluation));
    return group;
  }

  private static Map<String, Object> rule(ActiveGroups a) {
    MonitorStatus s = a.status();
    MonitorDefinition d = s.definition();
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("state", a.firing() > 0 ? "firing" : a.pending() > 0 ? "pending" : "inactive");
    rule.put("name", d.name());
    rule.put("query", query(d));
    rule.put("duration", PrometheusFormat.seconds(d.forDuration().toMillis()));
    rule.put("keepFiringFor", PrometheusFormat.seconds(d.keepFiringFor().toMillis()));
    rule.put("labels", new TreeMap<>(d.labels()));
    rule.put("annotations", new TreeMap<>(d.annotations()));
    rule.put("alerts", alerts(s));
    rule.put("health", health(s.health()));
    if (s.health() == MonitorStatus.Health.ERROR && s.lastError() != null) {
      rule.put("lastError", s.lastError());
    }
    rule.put("evaluationTime", s.evaluationMillis() / 1000);
    rule.put("lastEvaluation", PrometheusFormat.time(s.lastEvaluationMs()));
    rule.put("type", "alerting");
    return rule;
  }

  private static List<Map<String, Object>> alerts(MonitorStatus s) {
    MonitorDefinition d = s.definition();
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (GroupState g : s.groups()) {
      Map<String, Object> alert = new LinkedHashMap<>();
      Map<String, String> labels = labels(d, g.labels());
      String severity = g.severity() == null ? "" : g.severity();
      if (!severity.isEmpty()) {
        labels.put("severity", severity); // the level it fires at, as its notifications carry it
      }
      alert.put("labels", labels);
      alert.put("annotations", new TreeMap<>(Annotations.render(d, g.labels(), g.value(), g.state().id(), severity)));
      alert.put("state", g.state().id());
      alert.put("activeAt", PrometheusFormat.time(g.activeAt()));
      alert.put("value", PrometheusFormat.value(g.value()));
      alerts.add(alert);
    }
    return alerts;
  }

  /** The labels a notification of this group carries: the monitor's, the group's, alertname. */
  private static Map<String, String> labels(MonitorDefinition d, Labels group) {
    Map<String, String> labels = new TreeMap<>(d.labels());
    labels.putAll(group.asMap());
    labels.put("alertname", d.name());
    return labels;
  }

  /** The monitor's metrics and query parts in one line, as {@code | } joins parts in a rule file. */
  static String query(MonitorDefinition d) {
    List<String> parts = new ArrayList<>(d.metrics());
    parts.addAll(d.queryItems());
    return String.join(" | ", parts);
  }

  /** The rule file a monitor is defined in: its source without the line. */
  static String file(MonitorDefinition d) {
    int colon = d.source().lastIndexOf(':');
    return colon < 0 ? d.source() : d.source().substring(0, colon);
  }

  private static String health(MonitorStatus.Health health) {
    return switch (health) {
      case OK -> "ok";
      case ERROR -> "err";
      case UNKNOWN -> "unknown";
    };
  }

  /** How many pending and firing groups of these monitors the bound left out. */
  private static long leftOut(List<ActiveGroups> listed) {
    return listed.stream().mapToLong(ActiveGroups::leftOut).sum();
  }

  private static void success(Context ctx, Map<String, Object> data, long left) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "success");
    body.put("data", data);
    if (left > 0) {
      body.put("warnings", List.of("only the first " + MAX_ALERTS + " alerts are listed; " + left
          + " more are left out (see /api/v1/alerts for paged lists)"));
    }
    ctx.json(body);
  }

  /** Prometheus' error shape, which its clients read. */
  private static void badData(Context ctx, String message) {
    ctx.attribute(ApiErrors.ANSWERED, true);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "error");
    body.put("errorType", "bad_data");
    body.put("error", message);
    ctx.status(HttpStatus.BAD_REQUEST).json(body);
  }
}
