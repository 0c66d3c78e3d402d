package io.tocsin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tocsin.query.QueryException;
import io.tocsin.query.eval.EvaluationCache;
import io.tocsin.query.eval.Query;
import io.tocsin.query.eval.QueryLimitException;
import io.tocsin.query.eval.QueryResult;
import io.tocsin.query.eval.QuerySourceException;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import io.tocsin.util.Durations;
import io.tocsin.util.Suggestions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code POST /api/v1/query}: runs an ad-hoc monitor query over the complete buckets that end
 * at or before now. Body: {@code {"metrics": [...], "query": [...], "interval": "1m", "range":
 * "1h"}}; interval and range are optional.
 */
final class QueryHandler {
  static final int MAX_BUCKETS = 10_000;

  /** When a refused query may try again, in seconds. */
  static final String RETRY_AFTER = "5";

  private final AdHocQueries queries;
  private final MonitorEngine engine;
  private final Clock clock;
  private final ObjectMapper json;

  QueryHandler(AdHocQueries queries, MonitorEngine engine, Clock clock, ObjectMapper json) {
    this.queries = queries;
    this.engine = engine;
    this.clock = clock;
    this.json = json;
  }

  void handle(Context ctx) throws InterruptedException {
    QueryRequest request;
    try {
      request = QueryRequest.parse(json, ctx.bodyAsBytes());
    } catch (BadRequestException e) {
      ApiErrors.badRequest(ctx, e.getMessage());
      return;
    }
    Query query;
    try {
      query = Query.compile(request.metrics(), request.items());
    } catch (QueryException e) {
      queryError(ctx, e);
      return;
    }
    long step = request.interval().toMillis();
    long range = request.range().toMillis();
    int buckets = (int) (range / step + (range % step == 0 ? 0 : 1));
    BucketGrid grid = BucketGrid.endingAt(clock.millis(), step, buckets);
    QueryResult result;
    if (request.datasource() != null) {
      Set<String> names = engine.datasourceNames();
      if (!names.contains(request.datasource())) {
        ApiErrors.badRequest(ctx, "unknown datasource \"" + request.datasource() + "\""
            + Suggestions.hint(request.datasource(), names)
            + (names.isEmpty() ? "; tocsin.yml declares no datasources" : "; declared: " + String.join(", ", new TreeSet<>(names))));
        return;
      }
      try {
        // What a monitor with this datasource would see; the datasource's timeout bounds it.
        result = engine.sourceOf(request.datasource()).evaluate(query, grid, new EvaluationCache());
      } catch (QueryException e) {
        queryError(ctx, e);
        return;
      } catch (QuerySourceException e) {
        ApiErrors.respond(ctx, HttpStatus.BAD_GATEWAY, e.getMessage());
        return;
      }
      ctx.json(render(result));
      return;
    }
    try {
      result = queries.evaluate(query, grid);
    } catch (QueryException e) {
      queryError(ctx, e);
      return;
    } catch (QueryLimitException e) {
      limitError(ctx, e);
      return;
    } catch (AdHocQueries.Busy e) {
      ctx.header("Retry-After", RETRY_AFTER);
      ApiErrors.respond(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
      return;
    }
    ctx.json(render(result));
  }

  /** 422: the query is valid but too large; the body names the limit, its value, and what to do. */
  static void limitError(Context ctx, QueryLimitException e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", e.getMessage());
    body.put("limit", "query." + e.limit());
    body.put("value", e.value());
    ctx.attribute(ApiErrors.ANSWERED, true);
    ctx.status(HttpStatus.UNPROCESSABLE_CONTENT).json(body);
  }

  private static void queryError(Context ctx, QueryException e) {
    Map<String, Object> body = new LinkedHashMap<>();
    String where = e.source() == null || e.index() < 0 ? ""
        : (e.source() == QueryException.Source.METRICS ? "metrics" : "query") + "[" + e.index() + "]";
    body.put("error", where.isEmpty() ? e.getMessage() : where + ": " + e.getMessage());
    if (!where.isEmpty()) {
      body.put("item", where);
    }
    body.put("line", e.position().line());
    body.put("column", e.position().column());
    ctx.status(HttpStatus.BAD_REQUEST).json(body);
  }

  /**
   * {@code {"columns": [names], "groups": [{"labels": {...}, "columns": {name: [[unix_ms, value],
   * ...]}}]}}: each label set once, with the columns that have it. Buckets without a value are
   * left out; infinities are the strings {@code "+Inf"} and {@code "-Inf"}.
   */
  static Map<String, Object> render(QueryResult result) {
    List<String> names = new ArrayList<>();
    Map<Labels, Map<String, List<List<Object>>>> groups = new TreeMap<>();
    BucketGrid grid = result.grid();
    for (QueryResult.Column column : result.columns()) {
      names.add(column.name());
      column.groups().forEach((labels, values) -> {
        List<List<Object>> points = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
          double v = values[i];
          if (!Double.isNaN(v)) {
            Object value = Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : (Object) v;
            points.add(List.of(grid.bucketStart(i), value));
          }
        }
        groups.computeIfAbsent(labels, k -> new LinkedHashMap<>()).put(column.name(), points);
      });
    }
    List<Map<String, Object>> renderedGroups = new ArrayList<>();
    groups.forEach((labels, columns) -> {
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("labels", labels.asMap());
      group.put("columns", columns);
      renderedGroups.add(group);
    });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("columns", names);
    body.put("groups", renderedGroups);
    return body;
  }

  /** The body of a query request, checked. */
  record QueryRequest(List<String> metrics, List<String> items, Duration interval, Duration range, String datasource) {
    static QueryRequest parse(ObjectMapper json, byte[] body) throws BadRequestException {
      JsonNode root;
      try {
        root = json.readTree(body);
      } catch (JsonProcessingException e) {
        throw new BadRequestException("request body is not valid JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw new BadRequestException("cannot read the request body");
      }
      if (root == null || !root.isObject()) {
        throw new BadRequestException("request body must be a JSON object with \"metrics\" and \"query\"");
      }
      for (var names = root.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!List.of("metrics", "query", "interval", "range", "datasource").contains(name)) {
          throw new BadRequestException("unknown field \"" + name + "\"; expected metrics, query, interval, range, datasource");
        }
      }
      List<String> metrics = strings(root, "metrics", false);
      List<String> items = strings(root, "query", true);
      Duration interval = duration(root, "interval", Duration.ofMinutes(1));
      Duration range = duration(root, "range", Duration.ofHours(1));
      if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new BadRequestException("interval must be at least 1s, got " + Durations.format(interval));
      }
      if (range.compareTo(interval) < 0) {
        throw new BadRequestException("range (" + Durations.format(range) + ") must be at least the interval ("
            + Durations.format(interval) + ")");
      }
      if (range.toMillis() / interval.toMillis() > MAX_BUCKETS) {
        throw new BadRequestException("range / interval gives more than " + MAX_BUCKETS + " buckets; "
            + "use a longer interval or a shorter range");
      }
      JsonNode datasource = root.get("datasource");
      if (datasource != null && !datasource.isNull() && !datasource.isTextual()) {
        throw new BadRequestException("\"datasource\" must be a datasource's name");
      }
      return new QueryRequest(metrics, items, interval, range,
          datasource == null || datasource.isNull() ? null : datasource.asText());
    }

    private static List<String> strings(JsonNode root, String field, boolean required) throws BadRequestException {
      JsonNode node = root.get(field);
      if (node == null || node.isNull()) {
        if (required) {
          throw new BadRequestException("\"" + field + "\" is required: a list of strings");
        }
        return List.of();
      }
      if (node.isTextual()) {
        return List.of(node.asText());
      }
      if (!node.isArray()) {
        throw new BadRequestException("\"" + field + "\" must be a list of strings");
      }
      List<String> result = new ArrayList<>();
      for (JsonNode item : node) {
        if (!item.isTextual()) {
          throw new BadRequestException("\"" + field + "\" must be a list of strings; found " + item.getNodeType()
              .name().toLowerCase(Locale.ROOT));
        }
        result.add(item.asText());
      }
      if (required && result.isEmpty()) {
        throw new BadRequestException("\"" + field + "\" must not be empty");
      }
      return result;
    }

    private static Duration duration(JsonNode root, String field, Duration defaultValue) throws BadRequestException {
      JsonNode node = root.get(field);
      if (node == null || node.isNull()) {
        return defaultValue;
      }
      if (!node.isTextual()) {
        throw new BadRequestException("\"" + field + "\" must be a duration string such as \"1m\"");
      }
      return DurationParam.parse("\"" + field + "\"", node.asText());
    }
  }
}
