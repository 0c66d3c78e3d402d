package io.tocsin.datasource;

import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;

/**
 * The same generated samples written to Tocsin's store and, as Prometheus text with timestamps,
 * to VictoriaMetrics ({@code /api/v1/import/prometheus}). Counters go to Tocsin as per-sample
 * increases (a reset's increase is the new value, the first point's 0), as OTLP and remote-write
 * ingest store them, and to VictoriaMetrics as the cumulative values.
 */
final class RemoteData {
  private final SeriesStore store;
  private final StringBuilder text = new StringBuilder();
  /** The same samples as OpenMetrics, by metric family (which must not interleave), for promtool. */
  private final Map<String, StringBuilder> openMetrics = new TreeMap<>();

  RemoteData(SeriesStore store) {
    this.store = store;
  }

  /** A counter sampled every {@code everyMs} from {@code fromMs} for {@code count} samples; resets at {@code resetAt}. */
  RemoteData counter(String metric, Labels labels, long fromMs, long everyMs, int count, int resetAt, long seed) {
    Random random = new Random(seed);
    return counter(metric, labels, fromMs, everyMs, count, resetAt, 1000 + random.nextInt(1000), i -> random.nextInt(20));
  }

  /** A counter that grows by {@code growth.applyAsInt(i)} at sample {@code i}, from {@code start}. */
  RemoteData counter(String metric, Labels labels, long fromMs, long everyMs, int count, int resetAt, double start,
      IntUnaryOperator growth) {
    double cumulative = start;
    double previous = Double.NaN;
    for (int i = 0; i < count; i++) {
      cumulative = i == resetAt ? growth.applyAsInt(i) % 5 : cumulative + growth.applyAsInt(i);
      double increase = Double.isNaN(previous) ? 0 : cumulative >= previous ? cumulative - previous : cumulative;
      previous = cumulative;
      long t = fromMs + i * everyMs;
      store.write(metric, MetricKind.COUNTER, labels, s -> s.append(t, increase));
      line(metric, labels, cumulative, t);
    }
    return this;
  }

  /** A gauge of whole numbers (VictoriaMetrics keeps 12 significant digits; these stay exact). */
  RemoteData gauge(String metric, Labels labels, long fromMs, long everyMs, int count, long seed) {
    Random random = new Random(seed);
    return gauge(metric, labels, fromMs, everyMs, count, i -> 100 + random.nextInt(900));
  }

  /** A gauge whose sample {@code i} is {@code value.applyAsInt(i)}. */
  RemoteData gauge(String metric, Labels labels, long fromMs, long everyMs, int count, IntUnaryOperator valueAt) {
    for (int i = 0; i < count; i++) {
      double value = valueAt.applyAsInt(i);
      long t = fromMs + i * everyMs;
      store.write(metric, MetricKind.GAUGE, labels, s -> s.append(t, value));
      line(metric, labels, value, t);
    }
    return this;
  }

  private void line(String metric, Labels labels, double value, long t) {
    text.append(metric).append('{');
    labels.forEach((k, v) -> text.append(k).append("=\"").append(v).append("\","));
    text.append("} ").append((long) value).append(' ').append(t).append('\n');
    StringBuilder family = openMetrics.computeIfAbsent(metric, m -> new StringBuilder());
    family.append(metric).append('{');
    labels.forEach((k, v) -> family.append(k).append("=\"").append(v).append("\","));
    family.setLength(family.length() - (labels.isEmpty() ? 0 : 1));
    family.append("} ").append((long) value).append(' ').append(t / 1000).append('.')
        .append(String.format("%03d", t % 1000)).append('\n');
  }

  /** The samples as OpenMetrics text, for {@code promtool tsdb create-blocks-from openmetrics}. */
  String openMetrics() {
    StringBuilder out = new StringBuilder();
    openMetrics.values().forEach(out::append);
    return out.append("# EOF\n").toString();
  }

  /** Sends the text to VictoriaMetrics and makes it searchable at once. */
  void sendTo(String victoriaMetricsUrl) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> imported = http.send(HttpRequest.newBuilder(URI.create(victoriaMetricsUrl
            + "/api/v1/import/prometheus")).POST(HttpRequest.BodyPublishers.ofString(text.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (imported.statusCode() / 100 != 2) {
      throw new IOException("import: HTTP " + imported.statusCode() + " " + imported.body());
    }
    http.send(HttpRequest.newBuilder(URI.create(victoriaMetricsUrl + "/internal/force_flush")).build(),
        HttpResponse.BodyHandlers.discarding());
  }
}
