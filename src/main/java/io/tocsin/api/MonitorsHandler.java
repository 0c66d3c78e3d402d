package io.tocsin.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tocsin.history.AlertHistory;
import io.tocsin.notify.silence.Matcher;
import io.tocsin.rules.AlertEvent;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.Level;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.rules.MonitorSummary;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import io.tocsin.util.Durations;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Monitors and alerts over REST: lists, a monitor's definition with its groups and recent
 * points, firing and pending alerts, the history, and pause/resume. Times are Unix
 * milliseconds; durations are written like in rule files ({@code 5m}). Lists are paged with
 * {@code limit} and {@code offset} and say their {@code total}.
 */
final class MonitorsHandler {
  /** Page sizes when a request gives no {@code limit}: the history is long and read newest first. */
  static final int DEFAULT_LIMIT = 500;
  static final int DEFAULT_HISTORY_LIMIT = 100;

  private final MonitorEngine engine;
  private final AdHocQueries queries;
  private final Clock clock;
  /** Whether an alert is silenced or inhibited now, and the routes it takes. */
  private final AlertDelivery delivery;

  MonitorsHandler(MonitorEngine engine, AdHocQueries queries, Clock clock, AlertDelivery delivery) {
    this.engine = engine;
    this.queries = queries;
    this.clock = clock;
    this.delivery = delivery;
  }

  void list(Context ctx) {
    ListParams params;
    try {
      params = ListParams.of(ctx, DEFAULT_LIMIT);
    } catch (BadRequestException e) {
      ApiErrors.badRequest(ctx, e.getMessage());
      return;
    }
    List<Map<String, Object>> monitors = new ArrayList<>();
    for (MonitorSummary monitor : engine.summaries()) {
      monitors.add(summary(monitor));
    }
    ctx.json(params.page("monitors", monitors));
  }

  void get(Context ctx) {
    Optional<MonitorStatus> found = engine.monitor(ctx.pathParam("id"));
    if (found.isEmpty()) {
      ApiErrors.respond(ctx, HttpStatus.NOT_FOUND, "no monitor with id \"" + ctx.pathParam("id") + "\"");
      return;
    }
    MonitorStatus status = found.get();
    MonitorDefinition d = status.definition();
    Duration range;
    try {
      ListParams.onlyKnown(ctx, List.of("range"));
      range = DurationParam.parse("range", Optional.ofNullable(ctx.queryParam("range")).orElse("1h"));
    } catch (BadRequestException e) {
      ApiErrors.badRequest(ctx, e.getMessage());
      return;
    }
    Map<String, Object> body = summary(status.summary());
    body.putAll(definition(d));
    MonitorPoints recent = MonitorPoints.of(queries, engine, d, clock, range);
    if (recent.error() != null) {
      body.put("points_error", recent.error());
    }
    Map<Labels, double[]> points = recent.values();
    BucketGrid grid = recent.grid();
    Map<Labels, GroupState> states = new TreeMap<>();
    status.groups().forEach(g -> states.put(g.labels(), g));
    List<Map<String, Object>> groups = new ArrayList<>();
    Set<Labels> all = new TreeSet<>(states.keySet());
    all.addAll(points.keySet());
    for (Labels labels : all) {
      GroupState g = states.get(labels);
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("labels", labels.asMap());
      group.put("state", g == null ? "ok" : g.state().id());
      group.put("value", g == null ? null : number(g.value()));
      group.put("active_at", g == null ? null : time(g.activeAt()));
      group.put("fired_at", g == null ? null : time(g.firedAt()));
      group.put("resolved_at", g == null ? null : time(g.resolvedAt()));
      if (d.hasLevels()) {
        group.put("severity", g == null ? null : g.severity());
      }
      List<List<Object>> series = new ArrayList<>();
      double[] values = points.get(labels);
      if (values != null) {
        for (int i = 0; i < values.length; i++) {
          if (!Double.isNaN(values[i])) {
            series.add(List.of(grid.bucketStart(i), number(values[i])));
          }
        }
      }
      group.put("points", series);
      groups.add(group);
    }
    body.put("groups", groups);
    ctx.json(body);
  }

  /**
   * Firing and pending alerts, filtered by {@code state}, {@code monitor} (id or exact name) and
   * any number of {@code match} label matchers, which all must hold. An alert's labels for
   * matching are those a notification carries: {@code alertname} (the monitor name; {@code
   * monitor} is an alias), the monitor's labels and the group's labels.
   */
  void alerts(Context ctx) {
    List<MonitorStatus> monitors = engine.alerting();
    String wanted;
    MonitorDefinition only = null;
    List<Matcher> matchers = new ArrayList<>();
    ListParams params;
    try {
      params = ListParams.of(ctx, DEFAULT_LIMIT, "state", "monitor", "match");
      wanted = params.single("state");
      if (wanted != null && !wanted.equals("firing") && !wanted.equals("pending")) {
        throw new BadRequestException("state must be firing or pending, got \"" + wanted + "\"");
      }
      String monitor = params.single("monitor");
      if (monitor != null) {
        only = find(monitors, monitor);
      }
      for (String text : params.all("match")) {
        try {
          matchers.add(Matcher.parse(text));
        } catch (IllegalArgumentException e) {
          throw new BadRequestException("match: " + e.getMessage());
        }
      }
    } catch (BadRequestException e) {
      ApiErrors.badRequest(ctx, e.getMessage());
      return;
    }
    List<AlertRow> rows = new ArrayList<>();
    for (MonitorStatus status : monitors) {
      MonitorDefinition d = status.definition();
      if (only != null && !only.id().equals(d.id())) {
        continue;
      }
      for (GroupState g : status.groups()) {
        if (g.state() == GroupState.State.OK || (wanted != null && !g.state().id().equals(wanted))) {
          continue;
        }
        Map<String, String> full = fullLabels(d, g);
        if (!matchesAll(matchers, full)) {
          continue;
        }
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("id", alertId(d, g.labels()));
        alert.put("monitor_id", d.id());
        alert.put("monitor", d.name());
        alert.put("labels", g.labels().asMap());
        alert.put("state", g.state().id());
        alert.put("value", number(g.value()));
        alert.put("threshold", d.thresholdsOf(g).crossed(Double.isNaN(g.value()) ? Double.NEGATIVE_INFINITY
            : g.value()));
        if (d.hasLevels()) {
          alert.put("severity", g.severity());
        }
        alert.put("active_at", time(g.activeAt()));
        alert.put("fired_at", time(g.firedAt()));
        rows.add(new AlertRow(alert, full, g.state() == GroupState.State.FIRING
            ? AlertEvent.fingerprint(d.id(), g.labels()) : null));
      }
    }
    Map<String, Object> body = params.page("alerts", rows);
    // Silences, inhibition and routes are looked up for the page only: a list of every alert stays cheap.
    List<Map<String, Object>> page = new ArrayList<>();
    for (Object row : (List<?>) body.get("alerts")) {
      page.add(((AlertRow) row).withDelivery(delivery));
    }
    body.put("alerts", page);
    ctx.json(body);
  }

  /**
   * An alert of the list before paging: its JSON so far, its full labels, and its fingerprint when
   * it fires (only a firing alert can be inhibited).
   */
  private record AlertRow(Map<String, Object> json, Map<String, String> labels, String firingFingerprint) {
    Map<String, Object> withDelivery(AlertDelivery delivery) {
      delivery.silencedBy(labels).ifPresent(id -> json.put("silenced_by", id));
      if (firingFingerprint != null) {
        delivery.inhibitedBy(firingFingerprint, labels).ifPresent(why -> json.put("inhibited_by", why));
      }
      json.put("routes", delivery.routes(labels));
      return json;
    }
  }

  /** The monitor with this id, or else with exactly this name. */
  private static MonitorDefinition find(List<MonitorStatus> monitors, String idOrName) throws BadRequestException {
    for (MonitorStatus s : monitors) {
      if (s.definition().id().equals(idOrName)) {
        return s.definition();
      }
    }
    for (MonitorStatus s : monitors) {
      if (s.definition().name().equals(idOrName)) {
        return s.definition();
      }
    }
    // An unknown monitor is an error, not an empty list: a typo must not look like "all is well".
    throw new BadRequestException("monitor: no monitor with id or name \"" + idOrName + "\"");
  }

  /** Whether every matcher holds for the labels a notification of this group would carry. */
  /**
   * The same label set NotificationDispatcher hands to silences and inhibition: monitor labels,
   * group labels, alertname, and with levels the level a firing group is at as severity.
   */
  private static Map<String, String> fullLabels(MonitorDefinition d, GroupState g) {
    Map<String, String> labels = new TreeMap<>(d.labels());
    labels.putAll(g.labels().asMap());
    labels.put("alertname", d.name());
    if (g.severity() != null) {
      labels.put("severity", g.severity());
    }
    return labels;
  }

  private static boolean matchesAll(List<Matcher> matchers, Map<String, String> labels) {
    if (matchers.isEmpty()) {
      return true;
    }
    for (Matcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  void history(Context ctx) {
    ListParams params;
    try {
      params = ListParams.of(ctx, DEFAULT_HISTORY_LIMIT);
    } catch (BadRequestException e) {
      ApiErrors.badRequest(ctx, e.getMessage());
      return;
    }
    List<Map<String, Object>> entries = new ArrayList<>();
    for (AlertHistory.Entry e : engine.history().entries()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("at", e.at());
      entry.put("type", e.type());
      entry.put("monitor_id", e.monitorId());
      entry.put("monitor", e.monitor());
      entry.put("labels", e.labels());
      entry.put("value", number(e.value()));
      entry.put("detail", e.detail());
      if (e.channel() != null) {
        entry.put("channel", e.channel());
      }
      entries.add(entry);
    }
    ctx.json(params.page("history", entries));
  }

  void pause(Context ctx, boolean pause) {
    String id = ctx.pathParam("id");
    if (!engine.pause(id, pause)) {
      ApiErrors.respond(ctx, HttpStatus.NOT_FOUND, "no monitor with id \"" + id + "\"");
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("state", engine.summary(id).map(MonitorSummary::state).orElse("unknown"));
    ctx.json(body);
  }

  private static Map<String, Object> summary(MonitorSummary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.definition().id());
    m.put("name", s.definition().name());
    m.put("state", s.state());
    m.put("health", s.health().id());
    m.put("last_error", s.lastError());
    m.put("last_evaluation", s.lastEvaluationMs() == 0 ? null : s.lastEvaluationMs());
    m.put("evaluation_ms", s.evaluationMillis());
    m.put("groups_total", s.groupsTotal());
    m.put("groups_pending", (long) s.pending());
    m.put("groups_firing", (long) s.firing());
    m.put("evaluated_here", s.evaluatedHere());
    return m;
  }

  private static Map<String, Object> definition(MonitorDefinition d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("metrics", d.metrics());
    m.put("query", d.queryItems());
    m.put("column", d.column());
    m.put("unit", d.unit());
    m.put("min_allowed_value", d.thresholds().min());
    m.put("max_allowed_value", d.thresholds().max());
    m.put("recovery_min_value", d.thresholds().recoveryMin());
    m.put("recovery_max_value", d.thresholds().recoveryMax());
    if (d.hasLevels()) {
      List<Map<String, Object>> levels = new ArrayList<>();
      for (Level level : d.levels()) {
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("name", level.name());
        l.put("min_allowed_value", level.thresholds().min());
        l.put("max_allowed_value", level.thresholds().max());
        l.put("recovery_min_value", level.thresholds().recoveryMin());
        l.put("recovery_max_value", level.thresholds().recoveryMax());
        l.put("for_duration", Durations.format(level.forDuration()));
        levels.add(l);
      }
      m.put("levels", levels);
    }
    m.put("for_duration", Durations.format(d.forDuration()));
    m.put("grouping_interval", Durations.format(d.groupingInterval()));
    m.put("evaluation_delay", Durations.format(d.evaluationDelay()));
    m.put("keep_firing_for", Durations.format(d.keepFiringFor()));
    m.put("absent_points", d.absentPoints().id());
    m.put("repeat_interval", Durations.format(d.repeatInterval()));
    m.put("labels", d.labels());
    m.put("annotations", d.annotations());
    m.put("channels", d.channels());
    m.put("paused", d.paused());
    m.put("source", d.source());
    if (d.datasource() != null) {
      m.put("datasource", d.datasource());
    }
    return m;
  }

  /** A stable id for an alert: its monitor and a hash of its labels. */
  static String alertId(MonitorDefinition d, Labels labels) {
    return AlertEvent.fingerprint(d.id(), labels);
  }

  private static Long time(long ms) {
    return ms == 0 ? null : ms;
  }

  /** A JSON number, or null for NaN; infinities as "+Inf"/"-Inf". */
  private static Object number(double v) {
    if (Double.isNaN(v)) {
      return null;
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return v;
  }
}
