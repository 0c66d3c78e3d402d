package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tocsin.ingest.prompb.Label;
import io.tocsin.ingest.prompb.MetricMetadata;
import io.tocsin.ingest.prompb.Sample;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.ingest.prompb.WriteRequest;
import io.tocsin.store.AppendLog;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.PrometheusKinds;
import io.tocsin.store.Series;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StaleMarker;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.xerial.snappy.Snappy;

/**
 * Turns a Prometheus remote-write request into store samples (design section 10): labels as sent
 * ({@code __name__} is the metric name, empty values are absent labels as in Prometheus), kinds
 * from {@code ingest.remote_write.kinds}, else {@link PrometheusKinds}. Each sample is judged on
 * its own through the same {@link PointWriter} as OTLP, so limits, rejections and cumulative
 * counter resets behave the same.
 *
 * <p>Prometheus' staleness marker (a NaN with payload 2) is Tocsin's {@link StaleMarker}: it ends
 * a series, and a counter's next sample starts a new stream.
 *
 * <p>Prometheus sends metadata in requests of their own, so the type of each metric family is
 * remembered (up to {@link #MAX_FAMILIES} families) for the requests after it.
 *
 * <p>The {@code _bucket} series of a classic histogram become one histogram sample of the base
 * name per timestamp; all buckets of one scrape must arrive in the same request (Prometheus sends
 * them together unless it shards a queue so busy that they split), else they are rejected.
 */
final class RemoteWriteTranslator {
  /** Metric families whose metadata type is remembered; enough for any one Prometheus. */
  static final int MAX_FAMILIES = 100_000;
  private static final String NAME = "__name__";

  private final SeriesStore store;
  private final Clock clock;
  private final LabelLimits limits;
  private final Map<String, MetricKind> overrides;
  private final Map<String, String> familyTypes = new ConcurrentHashMap<>();
  /** Changes with every change of {@link #familyTypes}: series that senders remember have the kinds of one version. */
  private final AtomicInteger kindsVersion = new AtomicInteger();
  /**
   * Scans not in use, the last given back first: requests reuse as many as ran at once (each holds
   * a buffer the size of a request), not one per thread that ever took a request (a scan per
   * thread held twice as many in the side-by-side benchmark's 4 connections, 3.5 MB at 1M series).
   * At most about {@link #KEPT_SCANS} are kept: a burst of many requests at once leaves no more.
   */
  private final Deque<RemoteWriteScan> scans = new ConcurrentLinkedDeque<>();
  private static final int KEPT_SCANS = 8;

  /** @param overrides kind by metric name, over metadata and suffix rules (counter or gauge) */
  RemoteWriteTranslator(SeriesStore store, Clock clock, LabelLimits limits, Map<String, MetricKind> overrides) {
    this.store = store;
    this.clock = clock;
    this.limits = limits;
    this.overrides = Map.copyOf(overrides);
  }

  AppendLog log() {
    return store.log();
  }

  /**
   * Writes a request, a snappy block that declares {@code length} uncompressed bytes (uncompressed
   * into a buffer that requests reuse): the series of a common request straight from its bytes
   * ({@link RemoteWriteScan}), found through what {@code sender} remembers of its earlier requests
   * when it can be, else as {@link #write(WriteRequest)}.
   *
   * @param sender the series this request's sender wrote before, updated here; null for none
   * @throws IOException when it is not a snappy block of that length (InvalidProtocolBufferException:
   *     not a WriteRequest); nothing is written then
   */
  IngestResult writeSnappy(byte[] block, int length, SenderSeries sender) throws IOException {
    RemoteWriteScan scan = scans.pollFirst();
    if (scan == null) {
      scan = new RemoteWriteScan();
    }
    try {
      byte[] buffer = scan.buffer(length);
      int uncompressed = Snappy.uncompress(block, 0, block.length, buffer, 0);
      if (uncompressed != length) {
        throw new IOException("uncompressed to " + uncompressed + " bytes, not the " + length + " it declares");
      }
      return write(scan, buffer, length, sender);
    } finally {
      scan.release();
      if (scans.size() < KEPT_SCANS) { // counts at most that many; racing requests may keep a few more
        scans.offerFirst(scan);
      }
    }
  }

  private IngestResult write(RemoteWriteScan scan, byte[] bytes, int length, SenderSeries sender)
      throws InvalidProtocolBufferException {
    if (sender != null) {
      sender.ensureVersion(kindsVersion.get());
    }
    if (!scan.read(bytes, length, sender)) {
      return write(WriteRequest.parser().parseFrom(bytes, 0, length));
    }
    RejectionTally tally = new RejectionTally();
    PointWriter writer = newWriter(tally);
    Map<HistogramKey, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
    for (int s = 0; s < scan.seriesCount; s++) {
      if (!writeKnown(scan, s, writer, sender)) {
        writeSeries(scan.parsed(s), writer, tally, buckets);
      }
    }
    buckets.forEach((key, cumulative) -> writeHistogram(key, cumulative, writer));
    return tally.result();
  }

  /**
   * Writes series {@code s} of {@code scan} when it is one the store holds, found by its label
   * bytes in {@code sender} (as the scan read it) or else without building its labels; false
   * (nothing written) to leave it to {@link #writeSeries}.
   */
  private boolean writeKnown(RemoteWriteScan scan, int s, PointWriter writer, SenderSeries sender) {
    boolean remembered = sender != null && !scan.declined(s);
    if (remembered) {
      Series series = scan.known(s);
      if (series != null && writeRemembered(scan, s, series, writer)) {
        return true;
      }
    }
    if (!scan.describe(s) || scan.nameLength() > limits.maxValueLength()) {
      return false;
    }
    String name = scan.name();
    MetricKind kind = kindOf(name, false);
    Series series = store.find(name, kind, scan);
    if (series == null) {
      return false;
    }
    if (remembered) {
      sender.put(scan.body(), scan.labelsFrom(s), scan.labelsTo(s), series);
    }
    writer.metric(name, name);
    writeSamples(scan, s, 0, series, kind, writer);
    return true;
  }

  /**
   * Writes series {@code s} to the series its sender sent under the same label bytes before
   * (whose kind is still what {@link #kindOf} says: the sender's entries are of the current
   * version); false, writing nothing, when that series was evicted since, so that the store is
   * asked again.
   */
  private boolean writeRemembered(RemoteWriteScan scan, int s, Series series, PointWriter writer) {
    String name = series.metric();
    MetricKind kind = series.kind();
    writer.metric(name, name);
    if (scan.samples(s) == 0) {
      return true;
    }
    double value = scan.value(s, 0);
    if (!writer.prometheusTo(series, kind, scan.timestamp(s, 0), value, StaleMarker.is(value))) {
      return false;
    }
    writeSamples(scan, s, 1, series, kind, writer);
    return true;
  }

  /** Writes samples {@code from} on of series {@code s} to {@code series}, or as new if it is evicted meanwhile. */
  private static void writeSamples(RemoteWriteScan scan, int s, int from, Series series, MetricKind kind,
      PointWriter writer) {
    for (int i = from; i < scan.samples(s); i++) {
      double value = scan.value(s, i);
      long timeMs = scan.timestamp(s, i);
      boolean stale = StaleMarker.is(value);
      if (!writer.prometheusTo(series, kind, timeMs, value, stale)) {
        if (!scan.describe(s)) { // it was described when the series was found by it
          throw new IllegalStateException("series " + s + " no longer describes");
        }
        writer.prometheus(kind, scan.labels(), timeMs, value, null, stale, 1);
      }
    }
  }

  private PointWriter newWriter(RejectionTally tally) {
    return new PointWriter(store, tally, limits, 0, store.retentionCutoffMs(),
        clock.millis() + MetricsTranslator.MAX_FUTURE_MS);
  }

  IngestResult write(WriteRequest request) {
    for (MetricMetadata m : request.getMetadataList()) {
      if (m.getType() != MetricMetadata.MetricType.UNKNOWN && m.getType() != MetricMetadata.MetricType.UNRECOGNIZED
          && (familyTypes.size() < MAX_FAMILIES || familyTypes.containsKey(m.getMetricFamilyName()))) {
        String type = m.getType().name().toLowerCase(Locale.ROOT);
        if (!type.equals(familyTypes.put(m.getMetricFamilyName(), type))) {
          kindsVersion.incrementAndGet();
        }
      }
    }
    RejectionTally tally = new RejectionTally();
    PointWriter writer = newWriter(tally);
    Map<HistogramKey, TreeMap<Double, Double>> buckets = new LinkedHashMap<>();
    for (TimeSeries series : request.getTimeseriesList()) {
      writeSeries(series, writer, tally, buckets);
    }
    buckets.forEach((key, cumulative) -> writeHistogram(key, cumulative, writer));
    return tally.result();
  }

  private void writeSeries(TimeSeries series, PointWriter writer, RejectionTally tally,
      Map<HistogramKey, TreeMap<Double, Double>> buckets) {
    String name = "";
    String le = null;
    String badLabel = null;
    Labels.Builder builder = Labels.builder();
    for (Label label : series.getLabelsList()) {
      String key = label.getName();
      if (key.equals(NAME)) {
        name = label.getValue();
      } else if (!isName(key, false)) {
        badLabel = badLabel == null ? key : badLabel;
      } else if (!label.getValue().isEmpty()) {
        if (key.equals("le")) {
          le = label.getValue();
        }
        builder.put(key, label.getValue());
      }
    }
    int samples = series.getSamplesCount();
    String shown = name.isEmpty() ? series.getLabelsList().toString() : name;
    if (series.getHistogramsCount() > 0) {
      tally.reject(RejectReason.UNSUPPORTED_SAMPLE, shown, series.getHistogramsCount());
    }
    if (!isName(name, true) || badLabel != null) {
      String detail = badLabel == null ? "metric name \"" + RejectionTally.shorten(name, 64) + "\""
          : "label name \"" + RejectionTally.shorten(badLabel, 64) + "\"";
      tally.reject(RejectReason.INVALID_LABEL, shown, samples, detail);
      return;
    }
    if (name.length() > limits.maxValueLength()) {
      tally.reject(RejectReason.LABEL_VALUE_TOO_LONG, shown, samples, "the metric name, " + name.length() + " characters");
      return;
    }
    Labels labels = builder.build();
    MetricKind kind = kindOf(name, le != null);
    if (kind == MetricKind.HISTOGRAM) {
      Double bound = parseBound(le);
      if (bound == null) {
        tally.reject(RejectReason.INVALID_HISTOGRAM, name, samples, "le=\"" + RejectionTally.shorten(le, 64) + "\"");
        return;
      }
      Labels withoutLe = withoutLe(labels);
      String family = PrometheusKinds.familyOf(name);
      for (Sample s : series.getSamplesList()) {
        buckets.computeIfAbsent(new HistogramKey(family, withoutLe, s.getTimestamp()), k -> new TreeMap<>())
            .put(bound, s.getValue());
      }
      return;
    }
    writer.metric(name, name);
    for (Sample s : series.getSamplesList()) {
      boolean stale = StaleMarker.is(s.getValue());
      writer.prometheus(kind, labels, s.getTimestamp(), s.getValue(), null, stale, 1);
    }
  }

  /** Prometheus' classic name grammar: {@code [a-zA-Z_][a-zA-Z0-9_]*}, with {@code :} too in metric names. */
  static boolean isName(String s, boolean metric) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':')
          || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private MetricKind kindOf(String name, boolean hasLe) {
    MetricKind override = overrides.get(name);
    if (override != null) {
      return override;
    }
    String type = familyTypes.get(name);
    if (type == null) {
      type = familyTypes.get(PrometheusKinds.familyOf(name));
    }
    return PrometheusKinds.kindOf(name, type, hasLe);
  }

  /** One histogram sample from its cumulative buckets ({@code le} to count), or a rejection. */
  private static void writeHistogram(HistogramKey key, TreeMap<Double, Double> cumulative, PointWriter writer) {
    writer.metric(key.family + "_bucket", key.family);
    int n = cumulative.size();
    Double total = cumulative.get(Double.POSITIVE_INFINITY);
    boolean stale = cumulative.values().stream().anyMatch(StaleMarker::is);
    if (total == null && !stale) {
      writer.rejectAll(RejectReason.INCOMPLETE_HISTOGRAM, n);
      return;
    }
    if (stale) {
      writer.prometheus(MetricKind.HISTOGRAM, key.labels, key.timeMs, Double.NaN, null, true, n);
      return;
    }
    double[] bounds = new double[n - 1];
    double[] counts = new double[n];
    double below = 0;
    int i = 0;
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      double count = bucket.getValue();
      if (!(count >= below) || Double.isInfinite(count)) {
        writer.rejectAll(RejectReason.INVALID_HISTOGRAM, n);
        return;
      }
      if (i < bounds.length) {
        bounds[i] = bucket.getKey();
      }
      counts[i++] = count - below;
      below = count;
    }
    writer.prometheus(MetricKind.HISTOGRAM, key.labels, key.timeMs, total,
        new HistogramSample(total, Double.NaN, bounds, counts), false, n);
  }

  private static Double parseBound(String le) {
    try {
      double bound = switch (le) {
        case "+Inf", "Inf", "+inf", "inf" -> Double.POSITIVE_INFINITY;
        default -> Double.parseDouble(le);
      };
      return Double.isNaN(bound) ? null : bound;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Labels withoutLe(Labels labels) {
    List<String> keep = new ArrayList<>(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      if (!labels.key(i).equals("le")) {
        keep.add(labels.key(i));
      }
    }
    return labels.keep(keep);
  }

  /** The samples of one histogram series at one time. */
  private record HistogramKey(String family, Labels labels, long timeMs) {}

}
