package io.tocsin.datasource;

import com.fasterxml.jackson.databind.JsonNode;
import io.tocsin.query.eval.EvaluationCache;
import io.tocsin.query.eval.Query;
import io.tocsin.query.eval.QueryResult;
import io.tocsin.query.eval.QuerySource;
import io.tocsin.query.promql.PromQlTranslator;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A monitor's query evaluated by a Prometheus-compatible store: each column's PromQL runs as a
 * range query with {@code step} = the bucket width at every bucket's last millisecond (end - 1
 * ms), and the matrix becomes the column's groups, keyed by the grouping attributes, NaN where a
 * step has no point. Thread-safe.
 */
public final class PrometheusSource implements QuerySource {
  private final DatasourceSettings settings;
  private final PrometheusClient client;

  public PrometheusSource(DatasourceSettings settings) {
    this.settings = settings;
    this.client = new PrometheusClient(settings);
  }

  public DatasourceSettings settings() {
    return settings;
  }

  @Override
  public QueryResult evaluate(Query query, BucketGrid grid, EvaluationCache cache) {
    List<PromQlTranslator.Column> translated = PromQlTranslator.translate(query.metrics(), query.items(),
        Duration.ofMillis(grid.stepMs()), settings.kinds());
    List<QueryResult.Column> columns = new ArrayList<>();
    for (PromQlTranslator.Column column : translated) {
      if (!column.helper()) {
        // Monitors that differ only in thresholds send the same PromQL: one request per cycle.
        Map<Labels, double[]> groups = cache.get("datasource " + settings.name() + " " + grid + " " + column.promql(),
            () -> Collections.unmodifiableMap(groups(column, grid)));
        columns.add(new QueryResult.Column(column.name(), column.groupBy(), groups));
      }
    }
    return new QueryResult(grid, List.copyOf(columns));
  }

  private Map<Labels, double[]> groups(PromQlTranslator.Column column, BucketGrid grid) {
    long first = grid.startMs() + grid.stepMs() - 1;
    long last = first + (grid.count() - 1) * grid.stepMs();
    JsonNode data = client.queryRange(column.promql(), first, last, grid.stepMs());
    String type = data.path("resultType").asText();
    if (!type.equals("matrix")) {
      throw client.fail("expected a matrix, got " + (type.isEmpty() ? "no resultType" : type));
    }
    Map<Labels, double[]> groups = new TreeMap<>();
    for (JsonNode series : data.path("result")) {
      Labels.Builder labels = Labels.builder();
      for (Iterator<Map.Entry<String, JsonNode>> it = series.path("metric").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> label = it.next();
        if (column.groupBy().contains(label.getKey())) {
          labels.put(label.getKey(), label.getValue().asText());
        }
      }
      double[] values = new double[grid.count()];
      Arrays.fill(values, Double.NaN);
      for (JsonNode point : series.path("values")) {
        long ms = millis(point.path(0));
        long offset = ms - first;
        if (offset < 0 || offset % grid.stepMs() != 0 || offset / grid.stepMs() >= grid.count()) {
          throw client.fail("answer has a point at " + PrometheusClient.seconds(ms) + ", not at a bucket end");
        }
        values[(int) (offset / grid.stepMs())] = value(point.path(1));
      }
      if (groups.put(labels.build(), values) != null) {
        throw client.fail("answer has two series for " + labels.build() + "; the query's grouping must be unique");
      }
    }
    groups.values().removeIf(v -> Arrays.stream(v).allMatch(Double::isNaN));
    return groups;
  }

  private long millis(JsonNode time) {
    if (!time.isNumber() && !time.isTextual()) {
      throw client.fail("answer has a point without a time");
    }
    try {
      return new BigDecimal(time.asText()).movePointRight(3).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw client.fail("answer has a point at time \"" + time.asText() + "\"");
    }
  }

  private double value(JsonNode value) {
    String text = value.asText();
    return switch (text) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw client.fail("answer has a value \"" + text + "\"");
        }
      }
    };
  }
}
