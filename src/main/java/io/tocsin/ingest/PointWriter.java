package io.tocsin.ingest;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.tocsin.store.CounterSeries;
import io.tocsin.store.CounterState;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.Series;
import io.tocsin.store.Series.AppendResult;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.SeriesStore.Admission;
import io.tocsin.store.StaleMarker;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes the data points of one request, one at a time, and tallies each outcome. A number point
 * of a known series finds it through an {@link AttributesProbe}; only a new series, or a point
 * the probe declines, builds its labels. Conversions
 * that need the previous point of a stream (cumulative to delta) run inside {@link
 * SeriesStore#write}, under the series' lock, with their state kept in the series and set with the
 * sample it comes from, in one log record: a counter's in fields of its {@link CounterSeries}
 * ({@link CounterSeries#append(long, double, long, double)}), changed in place, others in {@link
 * Series#writerState} ({@link Series#append(long, double, Object)}).
 *
 * <p>One instance per request and thread; its fields carry the current point into the store's
 * callback without allocating a closure per point.
 */
final class PointWriter {
  private static final int NO_RECORDED_VALUE = 1; // DataPointFlags.FLAG_NO_RECORDED_VALUE_MASK

  private final SeriesStore store;
  private final RejectionTally tally;
  private final LabelLimits limits;
  private final long receiverStartNanos;
  private final long minTimeMs;
  private final long maxTimeMs;

  private String sourceName;
  private String name;

  // The point being written, read by the callbacks below.
  private boolean cumulative;
  private long timeMs;
  private long startNanos;
  private boolean stale;
  private double value;
  private HistogramSample histogram;
  private ExponentialBuckets exponential;
  private RejectReason outcome;
  // How many samples as sent the current point stands for: the buckets of a Prometheus histogram.
  private int points = 1;
  // The last label limit a point broke: the tally shows it for the first such point.
  private LabelLimits.Violation violation;

  private final AttributesProbe probe = new AttributesProbe();
  private final Consumer<Series> gaugeAppend = this::appendGauge;
  private final Consumer<Series> counterAppend = this::appendCounter;
  private final Consumer<Series> additiveAppend = this::appendAdditive;
  private final Consumer<Series> histogramAppend = this::appendHistogram;
  private final Consumer<Series> exponentialAppend = this::appendExponential;

  PointWriter(SeriesStore store, RejectionTally tally, LabelLimits limits, long receiverStartNanos, long minTimeMs,
      long maxTimeMs) {
    this.store = store;
    this.tally = tally;
    this.limits = limits;
    this.receiverStartNanos = receiverStartNanos;
    this.minTimeMs = minTimeMs;
    this.maxTimeMs = maxTimeMs;
  }

  /** Sets the metric the following points belong to: its name as sent and normalised. */
  void metric(String sourceName, String name) {
    this.sourceName = sourceName;
    this.name = name;
  }

  /** Writes number point {@code p} of {@code request}. */
  void number(MetricKind kind, boolean cumulative, Labels resource, DecodedRequest request, int p) {
    if (tooManyAttributes(request.attributeCount[p]) || !timed(request.timeNanos[p], request.startNanos[p], request.flags[p], cumulative)) {
      return;
    }
    if (!stale) {
      if (request.valueCase[p] == DecodedRequest.VALUE_NONE) {
        reject(RejectReason.MISSING_VALUE);
        return;
      }
      value = request.value(p);
    }
    Consumer<Series> append = appendFor(kind);
    outcome = null;
    if (probe.describe(resource, request, p)) {
      Series series = store.find(name, kind, probe);
      if (series != null && store.writeTo(series, append)) {
        finish(outcome);
        return;
      }
    }
    finish(write(name, kind, resource, OtlpDecoder.attributesOf(request, p), append));
  }

  void histogram(boolean cumulative, Labels resource, HistogramDataPoint p) {
    if (tooManyAttributes(p.getAttributesCount()) || !timed(p.getTimeUnixNano(), p.getStartTimeUnixNano(), p.getFlags(), cumulative)) {
      return;
    }
    if (!stale) {
      double[] bounds = new double[p.getExplicitBoundsCount()];
      for (int i = 0; i < bounds.length; i++) {
        bounds[i] = p.getExplicitBounds(i);
        if (Double.isNaN(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
          reject(RejectReason.INVALID_HISTOGRAM);
          return;
        }
      }
      int buckets = p.getBucketCountsCount();
      if (!(buckets == 0 && bounds.length == 0) && buckets != bounds.length + 1) {
        reject(RejectReason.INVALID_HISTOGRAM);
        return;
      }
      double[] counts = new double[buckets];
      for (int i = 0; i < buckets; i++) {
        counts[i] = p.getBucketCounts(i);
      }
      histogram = new HistogramSample(p.getCount(), p.hasSum() ? p.getSum() : Double.NaN, bounds, counts);
    }
    finish(write(name, MetricKind.HISTOGRAM, resource, p.getAttributesList()));
  }

  void exponentialHistogram(boolean cumulative, Labels resource, ExponentialHistogramDataPoint p) {
    if (tooManyAttributes(p.getAttributesCount()) || !timed(p.getTimeUnixNano(), p.getStartTimeUnixNano(), p.getFlags(), cumulative)) {
      return;
    }
    if (!stale) {
      exponential = ExponentialBuckets.of(p);
    }
    finish(write(name, MetricKind.HISTOGRAM, resource, p.getAttributesList(), exponentialAppend));
  }

  /** A summary's count and sum become counters, its quantiles gauges with a quantile label. */
  void summary(Labels resource, SummaryDataPoint p) {
    if (tooManyAttributes(p.getAttributesCount()) || !timed(p.getTimeUnixNano(), p.getStartTimeUnixNano(), p.getFlags(), true)) {
      return;
    }
    Labels labels = MetricsTranslator.labelsOf(resource, p.getAttributesList());
    RejectReason overLimit = checkLabels(labels);
    if (overLimit != null) {
      reject(overLimit);
      return;
    }
    RejectReason first = null;
    value = p.getCount();
    first = firstOf(first, write(name + "_count", MetricKind.COUNTER, labels));
    value = p.getSum();
    first = firstOf(first, write(name + "_sum", MetricKind.COUNTER, labels));
    for (SummaryDataPoint.ValueAtQuantile q : p.getQuantileValuesList()) {
      value = q.getValue();
      Labels quantile = Labels.builder().putAll(labels)
          .put("quantile", AttributeValues.renderDouble(q.getQuantile())).build();
      first = firstOf(first, write(name, MetricKind.GAUGE, quantile));
    }
    finish(first);
  }

  /**
   * Writes one sample of Prometheus remote write under {@code labels} (without {@code __name__}):
   * counters and histograms are cumulative with no start time, so a decrease is a reset, as for
   * an OTLP cumulative stream; a staleness marker is a stale point.
   *
   * @param histogram the cumulative buckets of a histogram, for kind HISTOGRAM; else null
   * @param points how many samples as sent this stands for, for the tally
   */
  void prometheus(MetricKind kind, Labels labels, long timeMs, double value, HistogramSample histogram, boolean stale,
      int points) {
    this.points = points;
    try {
      if (timeMs < minTimeMs) {
        reject(RejectReason.TOO_OLD);
        return;
      }
      if (timeMs > maxTimeMs) {
        reject(RejectReason.TOO_NEW);
        return;
      }
      RejectReason overLimit = checkLabels(labels);
      if (overLimit != null) {
        reject(overLimit);
        return;
      }
      this.timeMs = timeMs;
      this.startNanos = 0;
      this.cumulative = true;
      this.stale = stale;
      this.value = value;
      this.histogram = histogram;
      finish(write(name, kind, labels));
    } finally {
      this.points = 1;
    }
  }

  /**
   * Like {@link #prometheus} for one sample of a series {@link SeriesStore#find} returned; false
   * when eviction removed the series meanwhile and nothing was written (then write it through
   * {@link #prometheus}).
   */
  boolean prometheusTo(Series series, MetricKind kind, long timeMs, double value, boolean stale) {
    if (timeMs < minTimeMs) {
      reject(RejectReason.TOO_OLD);
      return true;
    }
    if (timeMs > maxTimeMs) {
      reject(RejectReason.TOO_NEW);
      return true;
    }
    this.timeMs = timeMs;
    this.startNanos = 0;
    this.cumulative = true;
    this.stale = stale;
    this.value = value;
    this.histogram = null;
    outcome = null;
    if (!store.writeTo(series, appendFor(kind))) {
      return false;
    }
    finish(outcome);
    return true;
  }

  /** Rejects {@code points} samples of the current metric at once. */
  void rejectAll(RejectReason reason, int points) {
    violation = null;
    tally.reject(reason, sourceName, points);
  }

  private static RejectReason firstOf(RejectReason first, RejectReason next) {
    return first != null ? first : next;
  }

  /**
   * Rejects a point with more attributes than allowed before anything is built from them, so a
   * point with 100,000 attributes costs no more than its decoding.
   */
  private boolean tooManyAttributes(int attributes) {
    violation = limits.checkAttributes(attributes);
    if (violation == null) {
      return false;
    }
    reject(violation.reason());
    return true;
  }

  /** Null when {@code labels} are within the limits, else the limit they break (see {@link #violation}). */
  private RejectReason checkLabels(Labels labels) {
    violation = limits.check(labels);
    return violation == null ? null : violation.reason();
  }

  /** Checks and records the point's times; false when the point was rejected for them. */
  private boolean timed(long timeNanos, long startNanos, int flags, boolean cumulative) {
    if (timeNanos == 0) {
      reject(RejectReason.ZERO_TIMESTAMP);
      return false;
    }
    long ms = timeNanos / 1_000_000;
    if (ms < minTimeMs) {
      reject(RejectReason.TOO_OLD);
      return false;
    }
    if (ms > maxTimeMs) {
      reject(RejectReason.TOO_NEW);
      return false;
    }
    this.timeMs = ms;
    this.startNanos = startNanos;
    this.cumulative = cumulative;
    this.stale = (flags & NO_RECORDED_VALUE) != 0;
    return true;
  }

  private RejectReason write(String metric, MetricKind kind, Labels resource, List<KeyValue> attributes) {
    return write(metric, kind, resource, attributes, appendFor(kind));
  }

  private RejectReason write(String metric, MetricKind kind, Labels labels) {
    return write(metric, kind, labels, List.of(), appendFor(kind));
  }

  private Consumer<Series> appendFor(MetricKind kind) {
    return switch (kind) {
      case GAUGE -> gaugeAppend;
      case COUNTER -> counterAppend;
      case ADDITIVE -> additiveAppend;
      case HISTOGRAM -> histogramAppend;
    };
  }

  /** Writes the current point with {@code append}; null when it was stored (or a duplicate). */
  private RejectReason write(String metric, MetricKind kind, Labels resource, List<KeyValue> attributes,
      Consumer<Series> append) {
    outcome = null;
    Labels labels = MetricsTranslator.labelsOf(resource, attributes);
    RejectReason overLimit = checkLabels(labels);
    if (overLimit != null) {
      return overLimit;
    }
    Admission admission = store.write(metric, kind, labels, append);
    return switch (admission) {
      case OK -> outcome;
      case SERIES_LIMIT -> RejectReason.SERIES_LIMIT;
      case METRIC_SERIES_LIMIT -> RejectReason.METRIC_SERIES_LIMIT;
      case KIND_CONFLICT -> RejectReason.KIND_CONFLICT;
    };
  }

  private void finish(RejectReason reason) {
    if (reason == null) {
      tally.accept(points);
    } else {
      reject(reason);
    }
  }

  private void reject(RejectReason reason) {
    tally.reject(reason, sourceName, points, violation != null && reason == violation.reason() ? violation.detail() : null);
  }

  private void record(AppendResult result) {
    outcome = result == AppendResult.OUT_OF_ORDER ? RejectReason.OUT_OF_ORDER : null;
  }

  /** A stale marker ends the stream: the next point starts a new one. */
  private boolean appendedStale(Series series) {
    if (!stale) {
      return false;
    }
    if (series.kind() == MetricKind.HISTOGRAM) {
      record(series.appendHistogram(timeMs, null, null));
    } else {
      record(series.append(timeMs, StaleMarker.VALUE, null));
    }
    return true;
  }

  private void appendGauge(Series series) {
    if (!appendedStale(series)) {
      record(series.append(timeMs, value));
    }
  }

  private void appendCounter(Series series) {
    if (appendedStale(series)) {
      return;
    }
    // Counters only go up by finite amounts; Prometheus would also break on +Inf (rate of Inf).
    // Gauges and up-down sums keep NaN and both infinities, as Prometheus stores them.
    if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
      outcome = RejectReason.INVALID_VALUE;
      return;
    }
    if (!cumulative) {
      record(series.append(timeMs, value));
      return;
    }
    CounterSeries counter = (CounterSeries) series; // what the store makes for a counter
    double increase;
    long lastTimeMs; // the state's point is the series' newest sample: their times are one
    if (!counter.hasCounterState()) {
      increase = startedAfterReceiver() ? value : 0;
    } else if (timeMs <= (lastTimeMs = series.lastTimeMs())) {
      outcome = timeMs == lastTimeMs && value == counter.lastValue() ? null : RejectReason.OUT_OF_ORDER;
      return;
    } else if (startNanos > counter.startNanos() || value < counter.lastValue()) {
      increase = value; // a reset: the stream restarted and counts from zero again
    } else {
      increase = value - counter.lastValue();
    }
    record(counter.append(timeMs, increase, startNanos, value));
  }

  /**
   * The first point of a cumulative stream counts in full only when the stream began after this
   * receiver did; otherwise most of its value was counted before anyone here watched.
   */
  private boolean startedAfterReceiver() {
    return startNanos != 0 && startNanos > receiverStartNanos;
  }

  private void appendAdditive(Series series) {
    if (appendedStale(series)) {
      return;
    }
    if (cumulative) {
      record(series.append(timeMs, value));
      return;
    }
    // A delta up-down counter: keep a running total from the first delta seen. Up-down counters
    // are mostly cumulative, with no state: their series are plain, 8 bytes less than a counter's.
    CounterState state = (CounterState) series.writerState();
    double total = (state == null ? 0 : state.lastValue()) + value;
    record(series.append(timeMs, total, CounterState.of(startNanos, total)));
  }

  private void appendHistogram(Series series) {
    if (appendedStale(series)) {
      return;
    }
    if (!cumulative) {
      record(series.appendHistogram(timeMs, histogram));
      return;
    }
    // A series of explicit-bucket points may also get exponential ones: that state starts a new stream.
    HistogramState state = series.writerState() instanceof HistogramState h ? h : null;
    HistogramSample current = histogram;
    if (state != null && state.last.sameLayout(current)) {
      current = new HistogramSample(current.count(), current.sum(), state.last.bounds(), current.counts());
    }
    HistogramSample delta;
    if (state == null) {
      delta = startedAfterReceiver() ? current : zeroed(current);
    } else if (timeMs <= state.lastTimeMs) {
      outcome = timeMs == state.lastTimeMs && current.equals(state.last) ? null : RejectReason.OUT_OF_ORDER;
      return;
    } else {
      delta = startNanos > state.startNanos ? null : minus(current, state.last);
      if (delta == null) {
        delta = current; // a reset or a new bucket layout
      }
    }
    record(series.appendHistogram(timeMs, delta, new HistogramState(startNanos, timeMs, current)));
  }

  private static HistogramSample zeroed(HistogramSample h) {
    double sum = Double.isNaN(h.sum()) ? Double.NaN : 0;
    return new HistogramSample(0, sum, h.bounds(), new double[h.counts().length]);
  }

  /** {@code current - previous}, or null unless both share a layout and nothing decreased. */
  private static HistogramSample minus(HistogramSample current, HistogramSample previous) {
    if (!current.sameLayout(previous) || current.count() < previous.count()) {
      return null;
    }
    double[] counts = current.counts().clone();
    for (int i = 0; i < counts.length; i++) {
      counts[i] -= previous.counts()[i];
      if (counts[i] < 0) {
        return null;
      }
    }
    double sum = Double.isNaN(current.sum()) || Double.isNaN(previous.sum())
        ? Double.NaN : current.sum() - previous.sum();
    return new HistogramSample(current.count() - previous.count(), sum, current.bounds(), counts);
  }

  private void appendExponential(Series series) {
    if (appendedStale(series)) {
      return;
    }
    ExponentialState state = series.writerState() instanceof ExponentialState e ? e : null;
    ExponentialBuckets delta;
    if (!cumulative) {
      delta = exponential;
    } else if (state == null) {
      delta = startedAfterReceiver() ? exponential : exponential.minus(exponential);
    } else if (timeMs <= state.lastTimeMs) {
      boolean same = timeMs == state.lastTimeMs && exponential.count() == state.last.count()
          && Arrays.equals(exponential.positive(), state.last.positive());
      outcome = same ? null : RejectReason.OUT_OF_ORDER;
      return;
    } else {
      delta = startNanos > state.startNanos ? null : exponential.minus(state.last);
      if (delta == null) {
        delta = exponential;
      }
    }
    ExponentialBuckets.Layout layout = delta.layout();
    double[] bounds = state != null && layout.equals(state.layout) ? state.bounds : null;
    HistogramSample sample = delta.toExplicit(bounds);
    record(series.appendHistogram(timeMs, sample,
        new ExponentialState(startNanos, timeMs, exponential, layout, sample.bounds())));
  }

  /** The last point of a cumulative histogram stream. */
  record HistogramState(long startNanos, long lastTimeMs, HistogramSample last) {}

  /** The last point of an exponential histogram stream, and the bounds of the last stored sample. */
  record ExponentialState(
      long startNanos, long lastTimeMs, ExponentialBuckets last, ExponentialBuckets.Layout layout, double[] bounds) {}
}
