package io.tocsin.store;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One time series: a metric name, its labels, and its samples within the retention window.
 *
 * <p>Locking: the series' own monitor guards its samples and {@link #writerState()}. Writers run
 * inside {@link SeriesStore#write}, which holds it, so a read-modify-append (a cumulative counter
 * turned into an increase) is atomic per series. Reads go through {@link SeriesStore}.
 */
public final class Series {
  /** Samples per compressed chunk; 120 is where Gorilla compression stops improving much. */
  static final int MAX_CHUNK_SAMPLES = 120;

  private static final long[][] NO_CHUNKS = new long[0][];

  /** The outcome of appending one sample. */
  public enum AppendResult {
    APPENDED,
    /** Same timestamp and value as the last sample: a retried export, nothing to do. */
    DUPLICATE,
    /** At or before the last sample's time with another value: not stored. */
    OUT_OF_ORDER
  }

  private final long id;
  private final String metric;
  private final Labels labels;
  private final MetricKind kind;
  private final long maxChunkSpanMs;

  private Chunk.Writer head;
  private long[][] sealed = NO_CHUNKS;
  private ArrayDeque<TimedHistogram> histograms;
  private long lastTimeMs = Long.MIN_VALUE;
  private Object writerState;
  private boolean removed;
  private AppendLog log;
  private long logMark;

  Series(long id, String metric, Labels labels, MetricKind kind, long maxChunkSpanMs, AppendLog log) {
    this.log = log;
    this.id = id;
    this.metric = metric;
    this.labels = labels;
    this.kind = kind;
    this.maxChunkSpanMs = maxChunkSpanMs;
    if (kind == MetricKind.HISTOGRAM) {
      histograms = new ArrayDeque<>();
    }
  }

  /**
   * A number the store gives this series when it creates it, never reused while the process
   * runs: durable logs refer to a series by it instead of repeating its labels.
   */
  public long id() {
    return id;
  }

  public String metric() {
    return metric;
  }

  public Labels labels() {
    return labels;
  }

  public MetricKind kind() {
    return kind;
  }

  /**
   * State the writer keeps per series between points, such as the last cumulative value of a
   * counter stream. The store never reads it; it goes away with the series.
   */
  public synchronized Object writerState() {
    return writerState;
  }

  public synchronized void writerState(Object state) {
    if (state != writerState) {
      log.writerState(this, state);
    }
    this.writerState = state;
  }

  synchronized void log(AppendLog newLog) {
    this.log = newLog;
  }

  /**
   * A number the {@link AppendLog} keeps per series (the log segment where it was last defined); only
   * read and written by the log, under this series' lock.
   */
  public long logMark() {
    return logMark;
  }

  public void logMark(long mark) {
    this.logMark = mark;
  }

  public synchronized long lastTimeMs() {
    return lastTimeMs;
  }

  /** Appends a scalar sample (a gauge value, or a counter increase). */
  public synchronized AppendResult append(long timeMs, double value) {
    if (kind == MetricKind.HISTOGRAM) {
      throw new IllegalStateException(metric + " is a histogram; append a HistogramSample");
    }
    if (timeMs <= lastTimeMs) {
      boolean sameValue = timeMs == lastTimeMs
          && Double.doubleToRawLongBits(head.lastValue()) == Double.doubleToRawLongBits(value);
      return sameValue ? AppendResult.DUPLICATE : AppendResult.OUT_OF_ORDER;
    }
    if (head == null) {
      head = new Chunk.Writer(value);
    } else if (head.count() >= MAX_CHUNK_SAMPLES || timeMs - head.firstTime() >= maxChunkSpanMs) {
      cutHead(value);
    }
    if (!head.append(timeMs, value)) {
      cutHead(value); // the value does not fit the head's coding: a new chunk suits it
      head.append(timeMs, value);
    }
    lastTimeMs = timeMs;
    log.sample(this, timeMs, value);
    return AppendResult.APPENDED;
  }

  private void cutHead(double nextValue) {
    long[] chunk = head.seal();
    sealed = Arrays.copyOf(sealed, sealed.length + 1);
    sealed[sealed.length - 1] = chunk;
    head = new Chunk.Writer(nextValue, chunk.length + 1);
  }

  /** Appends a histogram sample; a null sample is a stale marker. */
  public synchronized AppendResult appendHistogram(long timeMs, HistogramSample sample) {
    if (kind != MetricKind.HISTOGRAM) {
      throw new IllegalStateException(metric + " is a " + kind.label() + "; append a double");
    }
    if (timeMs <= lastTimeMs) {
      boolean same = timeMs == lastTimeMs && Objects.equals(histograms.peekLast().sample(), sample);
      return same ? AppendResult.DUPLICATE : AppendResult.OUT_OF_ORDER;
    }
    histograms.addLast(new TimedHistogram(timeMs, sample));
    lastTimeMs = timeMs;
    log.histogram(this, timeMs, sample);
    return AppendResult.APPENDED;
  }

  synchronized void forEachSample(long fromMs, long toMs, SampleVisitor visitor) {
    for (long[] chunk : sealed) {
      Chunk.forEach(chunk, fromMs, toMs, visitor);
    }
    if (head != null) {
      Chunk.forEach(head.words(), fromMs, toMs, visitor);
    }
  }

  /**
   * Appends the samples with {@code fromMs <= time < toMs} to the arrays of {@code sink}, growing
   * them as needed.
   */
  synchronized void collect(long fromMs, long toMs, SampleBuffer sink) {
    for (long[] chunk : sealed) {
      sink.decode(chunk, fromMs, toMs);
    }
    if (head != null) {
      sink.decode(head.words(), fromMs, toMs);
    }
  }

  /** Growable arrays of samples that chunks decode into. */
  static final class SampleBuffer {
    long[] times = new long[128];
    double[] values = new double[128];
    int size;

    void decode(long[] chunk, long fromMs, long toMs) {
      int room = size + Chunk.count(chunk);
      if (room > times.length) {
        int capacity = Math.max(room, times.length * 2);
        times = Arrays.copyOf(times, capacity);
        values = Arrays.copyOf(values, capacity);
      }
      size = Chunk.decode(chunk, fromMs, toMs, times, values, size);
    }
  }

  synchronized void forEachHistogram(long fromMs, long toMs, HistogramVisitor visitor) {
    for (TimedHistogram h : histograms) {
      if (h.timeMs() >= toMs) {
        return;
      }
      if (h.timeMs() >= fromMs) {
        visitor.sample(h.timeMs(), h.sample());
      }
    }
  }

  /**
   * Drops samples older than {@code cutoffMs} at chunk granularity (readers clamp to the window
   * themselves) and says whether the series is now empty, in which case it is marked removed.
   */
  synchronized boolean evictBefore(long cutoffMs) {
    if (kind == MetricKind.HISTOGRAM) {
      while (!histograms.isEmpty() && histograms.peekFirst().timeMs() < cutoffMs) {
        histograms.pollFirst();
      }
      removed = histograms.isEmpty();
      return removed;
    }
    int keepFrom = 0;
    while (keepFrom < sealed.length && Chunk.lastTime(sealed[keepFrom]) < cutoffMs) {
      keepFrom++;
    }
    if (keepFrom > 0) {
      sealed = keepFrom == sealed.length ? NO_CHUNKS : Arrays.copyOfRange(sealed, keepFrom, sealed.length);
    }
    removed = sealed.length == 0 && (head == null || Chunk.lastTime(head.words()) < cutoffMs);
    return removed;
  }

  /**
   * A copy of this series for a snapshot, taken under its lock so that a writer waits only for
   * the copy: sealed chunks never change and are shared, the head is copied. Sealed chunks and
   * histogram samples older than {@code cutoffMs} are left out, as eviction would drop them; the
   * head and the newest histogram sample stay even when older, because appending after a restore
   * compares with them. The writer state is encoded here too, since a writer may change it in
   * place. Null when eviction has removed the series.
   */
  synchronized SeriesImage image(long cutoffMs, StateEncoder stateEncoder) throws IOException {
    if (removed) {
      return null;
    }
    byte[] state = writerState == null ? null : stateEncoder.encode(writerState);
    if (kind == MetricKind.HISTOGRAM) {
      List<TimedHistogram> kept = new ArrayList<>(histograms.size());
      for (TimedHistogram h : histograms) {
        if (h.timeMs() >= cutoffMs || h == histograms.peekLast()) {
          kept.add(h);
        }
      }
      return new SeriesImage(this, lastTimeMs, state, NO_CHUNKS, null, kept);
    }
    int keepFrom = 0;
    while (keepFrom < sealed.length && Chunk.lastTime(sealed[keepFrom]) < cutoffMs) {
      keepFrom++;
    }
    long[][] chunks = keepFrom == 0 ? sealed : Arrays.copyOfRange(sealed, keepFrom, sealed.length);
    return new SeriesImage(this, lastTimeMs, state, chunks, head == null ? null : head.image(), List.of());
  }

  /** Encodes a writer state, which is not null, into bytes. */
  @FunctionalInterface
  interface StateEncoder {
    byte[] encode(Object state) throws IOException;
  }

  /**
   * What a snapshot keeps of a series. Histogram samples are {@link TimedHistogram}s, a null
   * sample a stale marker.
   */
  record SeriesImage(Series series, long lastTimeMs, byte[] writerState, long[][] sealed, Chunk.HeadImage head,
      List<TimedHistogram> histograms) {}

  /**
   * A series brought back from a snapshot, as it was: the chunks are taken as they are, never
   * re-encoded, so appending continues exactly where it stopped.
   */
  static Series restore(long id, String metric, Labels labels, MetricKind kind, long maxChunkSpanMs,
      long lastTimeMs, Object writerState, long[][] sealed, Chunk.HeadImage head, List<TimedHistogram> histograms) {
    Series series = new Series(id, metric, labels, kind, maxChunkSpanMs, AppendLog.NONE);
    series.lastTimeMs = lastTimeMs;
    series.writerState = writerState;
    if (kind == MetricKind.HISTOGRAM) {
      series.histograms.addAll(histograms);
    } else {
      series.sealed = sealed.length == 0 ? NO_CHUNKS : sealed;
      series.head = head == null ? null : new Chunk.Writer(head);
    }
    return series;
  }

  /** True once eviction emptied and unlinked this series; writers must look it up again. */
  synchronized boolean isRemoved() {
    return removed;
  }

  /** Visits histogram samples in time order; a null sample is a stale marker. */
  @FunctionalInterface
  interface HistogramVisitor {
    void sample(long timeMs, HistogramSample sample);
  }

  record TimedHistogram(long timeMs, HistogramSample sample) {}

  @Override
  public String toString() {
    return metric + labels;
  }
}
