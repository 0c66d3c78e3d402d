package io.tocsin.api;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tocsin.history.AlertHistory;
import io.tocsin.notify.Messages;
import io.tocsin.rules.ActiveGroups;
import io.tocsin.rules.AlertEvent;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.rules.MonitorSummary;
import io.tocsin.rules.Thresholds;
import io.tocsin.store.Labels;
import io.tocsin.util.Durations;
import io.tocsin.util.Numbers;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The status page: server-rendered HTML (Mustache templates, an inline stylesheet, SVG charts),
 * so it works offline and without JavaScript. {@code /} lists monitors, what fires, silences and
 * the recent history; {@code /monitors/{id}} charts each group against the thresholds.
 */
final class StatusPage {
  private static final int HISTORY_ROWS = 30;
  /** Alerts listed on the index page at most (firing before pending, the first monitors' first). */
  static final int MAX_ALERTS = 1_000;
  private static final int MAX_CHARTED_GROUPS = 50;
  private static final Duration CHART_RANGE = Duration.ofHours(1);
  /** Recent data fills the chart: a minute at 1 s buckets, an hour at 1 m. */
  private static final int MAX_BUCKETS_CHARTED = 60;

  private final MonitorEngine engine;
  private final AdHocQueries queries;
  private final Clock clock;
  private final Supplier<List<Map<String, Object>>> silences;
  private final Supplier<Map<String, Object>> cluster;
  /** Whether an alert is silenced or inhibited now, and the routes it takes. */
  private final AlertDelivery delivery;
  private final Mustache index;
  private final Mustache monitor;

  /**
   * @param silences rows for the silences table: state, matchers, endsAt, createdBy, comment
   * @param cluster the cluster line (name, size, self, position), or null without a cluster
   */
  StatusPage(MonitorEngine engine, AdHocQueries queries, Clock clock, Supplier<List<Map<String, Object>>> silences,
      Supplier<Map<String, Object>> cluster, AlertDelivery delivery) {
    this.delivery = delivery;
    this.engine = engine;
    this.queries = queries;
    this.clock = clock;
    this.silences = silences;
    this.cluster = cluster;
    DefaultMustacheFactory templates = new DefaultMustacheFactory("io/tocsin/api/status");
    this.index = templates.compile("index.mustache");
    this.monitor = templates.compile("monitor.mustache");
  }

  void index(Context ctx) {
    Map<String, Object> page = page("Monitors");
    List<Map<String, Object>> monitors = new ArrayList<>();
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (MonitorSummary s : engine.summaries()) {
      MonitorDefinition d = s.definition();
      Map<String, Object> row = new HashMap<>();
      row.put("id", d.id());
      row.put("name", d.name());
      row.put("state", s.state());
      row.put("firing", s.firing());
      row.put("pending", s.pending());
      row.put("total", s.groupsTotal());
      row.put("lastEvaluation", s.lastEvaluationMs() == 0 ? "not yet" : Messages.time(s.lastEvaluationMs()));
      row.put("lastError", s.lastError());
      monitors.add(row);
    }
    // The first alerts only: a page listing hundreds of thousands helps nobody, and copying them costs.
    long leftOut = 0;
    for (ActiveGroups active : engine.active(d -> true, MAX_ALERTS)) {
      leftOut += active.leftOut();
      MonitorDefinition d = active.status().definition();
      for (GroupState g : active.status().groups()) {
        Map<String, Object> alert = new HashMap<>();
        alert.put("state", g.state().id());
        alert.put("monitorId", d.id());
        alert.put("monitor", d.name());
        alert.put("labels", Messages.labels(g.labels().asMap()));
        alert.put("value", Messages.value(g.value(), d.unit()));
        alert.put("threshold", Messages.value(d.thresholdsOf(g).crossed(g.value()), d.unit()));
        alert.put("severity", g.severity());
        Map<String, String> labels = new TreeMap<>(d.labels());
        labels.putAll(g.labels().asMap());
        labels.put("alertname", d.name());
        if (g.severity() != null) {
          labels.put("severity", g.severity());
        }
        delivery.silencedBy(labels).ifPresent(id -> alert.put("silencedBy", id));
        if (g.state() == GroupState.State.FIRING) {
          delivery.inhibitedBy(AlertEvent.fingerprint(d.id(), g.labels()), labels)
              .ifPresent(why -> alert.put("inhibitedBy", why));
        }
        alert.put("routes", routesLine(delivery.routes(labels)));
        alert.put("since", Messages.since(g.activeAt(), g.state() == GroupState.State.FIRING ? g.firedAt() : 0));
        alert.put("order", g.state() == GroupState.State.FIRING ? 0 : 1);
        alerts.add(alert);
      }
    }
    page.put("alertsLeftOut", leftOut == 0 ? null : leftOut);
    alerts.sort(Comparator.comparing((Map<String, Object> a) -> (Integer) a.get("order")));
    page.put("monitors", monitors);
    page.put("alerts", alerts);
    page.put("silences", silences.get());
    page.put("cluster", cluster.get());
    page.put("history", history(null));
    render(ctx, index, page);
  }

  /** The routes as one line for the alerts table: {@code path → channels}, a muted route with why. */
  private static String routesLine(List<Map<String, Object>> routes) {
    List<String> parts = new ArrayList<>();
    for (Map<String, Object> route : routes) {
      String channels = String.join(", ", ((List<?>) route.get("channels")).stream().map(Object::toString).toList());
      String part = route.get("path") + " → " + (channels.isEmpty() ? "no channel" : channels);
      parts.add(route.get("muted") == null ? part : part + " (muted: " + route.get("muted") + ")");
    }
    return String.join("; ", parts);
  }

  void monitor(Context ctx) {
    Optional<MonitorStatus> found = engine.monitor(ctx.pathParam("id"));
    if (found.isEmpty()) {
      ctx.attribute(ApiErrors.ANSWERED, true);
      ctx.status(HttpStatus.NOT_FOUND).html("<!DOCTYPE html><title>Not found</title><p>No monitor with this id. "
          + "<a href=\"/\">All monitors</a></p>");
      return;
    }
    MonitorStatus s = found.get();
    MonitorDefinition d = s.definition();
    Map<String, Object> page = page(d.name());
    page.put("name", d.name());
    page.put("state", s.state());
    page.put("metrics", String.join(", ", d.metrics()));
    page.put("query", String.join(" | ", d.queryItems()));
    page.put("column", d.column());
    page.put("unit", d.unit());
    page.put("condition", condition(d.thresholds(), d.unit()));
    page.put("forDuration", Durations.format(d.forDuration()));
    page.put("interval", Durations.format(d.groupingInterval()));
    page.put("lastError", s.lastError());
    page.put("source", d.source());
    Duration range = chartRange(d);
    page.put("range", Durations.format(range));
    MonitorPoints points = MonitorPoints.of(queries, engine, d, clock, range);
    page.put("pointsError", points.error());

    Map<Labels, GroupState> states = new HashMap<>();
    s.groups().forEach(g -> states.put(g.labels(), g));
    TreeSet<Labels> all = new TreeSet<>(states.keySet());
    all.addAll(points.values().keySet());
    List<Labels> ordered = new ArrayList<>(all);
    // Firing first, then pending, then the rest, each by labels.
    ordered.sort(Comparator.comparing((Labels l) -> rank(states.get(l))).thenComparing(Comparator.naturalOrder()));
    List<Map<String, Object>> groups = new ArrayList<>();
    for (Labels labels : ordered.subList(0, Math.min(MAX_CHARTED_GROUPS, ordered.size()))) {
      GroupState g = states.get(labels);
      double[] values = points.values().get(labels);
      if (values == null) {
        values = new double[points.grid().count()];
        Arrays.fill(values, Double.NaN);
      }
      Map<String, Object> group = new HashMap<>();
      group.put("labels", Messages.labels(labels.asMap()));
      group.put("state", g == null ? "ok" : g.state().id());
      group.put("severity", g == null ? null : g.severity());
      group.put("value", Messages.value(g == null ? last(values) : g.value(), d.unit()));
      group.put("since", g == null || g.state() == GroupState.State.OK ? null
          : Messages.since(g.activeAt(), g.state() == GroupState.State.FIRING ? g.firedAt() : 0));
      group.put("svg", Chart.svg(points.grid(), values, d.thresholds()));
      groups.add(group);
    }
    page.put("groups", groups);
    page.put("moreGroups", ordered.size() > MAX_CHARTED_GROUPS ? ordered.size() - MAX_CHARTED_GROUPS : null);
    page.put("maxGroups", MAX_CHARTED_GROUPS);
    page.put("history", history(d.id()));
    render(ctx, monitor, page);
  }

  /** An hour, or fewer buckets for monitors with short intervals, so that a chart stays readable. */
  private static Duration chartRange(MonitorDefinition d) {
    Duration byBuckets = d.groupingInterval().multipliedBy(MAX_BUCKETS_CHARTED);
    return byBuckets.compareTo(CHART_RANGE) < 0 ? byBuckets : CHART_RANGE;
  }

  private static int rank(GroupState g) {
    if (g == null) {
      return 2;
    }
    return g.state() == GroupState.State.FIRING ? 0 : g.state() == GroupState.State.PENDING ? 1 : 2;
  }

  private static double last(double[] values) {
    for (int i = values.length - 1; i >= 0; i--) {
      if (!Double.isNaN(values[i])) {
        return values[i];
      }
    }
    return Double.NaN;
  }

  private static String condition(Thresholds t, String unit) {
    List<String> parts = new ArrayList<>();
    if (t.min() != null) {
      parts.add("value < " + Messages.value(t.min(), unit));
    }
    if (t.max() != null) {
      parts.add("value > " + Messages.value(t.max(), unit));
    }
    return String.join(" or ", parts);
  }

  private List<Map<String, Object>> history(String monitorId) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (AlertHistory.Entry e : engine.history().entries()) {
      if (monitorId != null && !monitorId.equals(e.monitorId())) {
        continue;
      }
      Map<String, Object> row = new HashMap<>();
      row.put("at", Messages.time(e.at()));
      row.put("type", e.type());
      row.put("monitor", e.monitor());
      row.put("labels", Messages.labels(e.labels()));
      row.put("channel", e.channel());
      row.put("detail", Double.isNaN(e.value()) || e.channel() != null ? e.detail()
          : ("value " + Numbers.format(e.value()) + (e.detail().isEmpty() ? "" : " · " + e.detail())));
      rows.add(row);
      if (rows.size() == HISTORY_ROWS) {
        break;
      }
    }
    return rows;
  }

  private Map<String, Object> page(String title) {
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("title", title);
    page.put("now", Messages.time(clock.millis()));
    return page;
  }

  private static void render(Context ctx, Mustache template, Map<String, Object> scope) {
    StringWriter out = new StringWriter();
    template.execute(out, scope);
    ctx.html(out.toString());
  }
}
