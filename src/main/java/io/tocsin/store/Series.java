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
 *
 * <p>Memory: a store holds millions of these, so a series is one object with as few fields as
 * it can have. It is its own head chunk ({@link Chunk.Head}) and its own labels: {@link #labels()}
 * gives the series itself, which compares, hashes and prints as the labels it holds (its metric
 * is not part of them). A labels object of its own cost 16 bytes per series (a header and a
 * reference). So two series of different metrics with the same labels are equal, and {@link
 * #size()} counts labels, not samples: code that means the series compares it with {@code ==}. What all series of a metric share is kept once in a {@link Family}; the last
 * sample time is read from the head chunk. A counter's series is a {@link CounterSeries}, which
 * keeps its stream's state in typed fields; a series that packs a label value ({@link
 * PackedValue}) is a {@link Packed} one of either ({@link Family#create}).
 */
public sealed class Series extends Chunk.Head permits Series.Packed, CounterSeries {
  /** Samples per compressed chunk; 120 is where Gorilla compression stops improving much. */
  static final int MAX_CHUNK_SAMPLES = 120;

  private static final long[] NO_CHUNKS = new long[0];
  /**
   * {@link #older} of a series that eviction emptied and unlinked: its sealed chunks are gone, and
   * a removed histogram series has no samples either. A mark here instead of a field of its own.
   */
  private static final long[] REMOVED = new long[0];

  /** The outcome of appending one sample. */
  public enum AppendResult {
    APPENDED,
    /** Same timestamp and value as the last sample: a retried export, nothing to do. */
    DUPLICATE,
    /** At or before the last sample's time with another value: not stored. */
    OUT_OF_ORDER
  }

  /**
   * A scalar series' sealed chunks, back to back in one {@code long[]} ({@link SealedChunks}), or
   * a histogram series' samples ({@code ArrayDeque<TimedHistogram>}): one field for either, which
   * makes a series 8 bytes smaller.
   */
  private Object older = NO_CHUNKS;
  /**
   * {@link #writerState()}. With the header (12 bytes), the labels' fields (20), the head chunk's
   * fields (24) and the two above, a series is 64 bytes: its family is found through its key set,
   * the log keeps which series it defined itself, and removal is marked in {@link #older}. A
   * {@link CounterSeries} keeps its {@link StreamStart} here and 8 bytes more, and a {@link
   * Packed} series 8 bytes more for its word.
   */
  private Object writerState;

  /**
   * @param keySet of the series' family, which the series finds through it
   * @param values as the family keeps them ({@link Family#create})
   * @throws IllegalArgumentException when {@code id} is negative or above {@link #MAX_ID}
   */
  Series(long id, Labels.KeySet keySet, Object[] values) {
    super(id, keySet, values);
    if (family().kind == MetricKind.HISTOGRAM) {
      older = new ArrayDeque<TimedHistogram>();
    }
  }

  /** A series that packs one of its label values into a word ({@link PackedValue}). */
  static final class Packed extends Series {
    private final long word;

    Packed(long id, Labels.KeySet keySet, Object[] values, long word) {
      super(id, keySet, values);
      this.word = word;
    }
  }

  /** The word of its packed label value ({@link PackedValue}); 0 when it packs none. */
  final long packedWord() {
    return this instanceof Packed p ? p.word : this instanceof CounterSeries.Packed c ? c.word() : 0;
  }

  /** Whether the value at {@code index} is the suffixed one this series packs. */
  final boolean packsSuffixed(int index) {
    long w = packedWord();
    return PackedValue.isSuffixed(w) && PackedValue.index(w) == index;
  }

  @Override
  HeadPages headPages() {
    return family().pages;
  }

  private boolean isHistogram() {
    return family().kind == MetricKind.HISTOGRAM;
  }

  private long[] sealed() {
    return (long[]) older;
  }

  /**
   * Reads a field of this series and its key set, without its lock, for {@link ScanAhead}: the
   * value means nothing, the loads bring both objects into the cache.
   */
  long touch() {
    return size();
  }

  /**
   * Reads the first words of this series' sealed chunks and of its head chunk in {@code pages}
   * (its family's), without its lock, for {@link ScanAhead}: the value means nothing. A writer
   * may be changing them; each read is of a word that is there whatever it changes.
   */
  long touchChunks(HeadPages pages) {
    return (older instanceof long[] sealed ? sealed.length : 0) + pages.touch(headAddress());
  }

  /** The histogram samples; none, in a new deque, once the series is removed. */
  @SuppressWarnings("unchecked")
  private ArrayDeque<TimedHistogram> histograms() {
    return older == REMOVED ? new ArrayDeque<>() : (ArrayDeque<TimedHistogram>) older;
  }

  final Family family() {
    return (Family) owner();
  }

  /**
   * A number the store gives this series when it creates it, never reused while the process
   * runs: durable logs refer to a series by it instead of repeating its labels.
   */
  public long id() {
    return tag();
  }

  /**
   * The largest id, 2^40 - 1: the head chunk keeps the id in the bits its timestamp delta leaves.
   * A store that made a million series a minute would reach it after two years.
   */
  static final long MAX_ID = Chunk.Head.MAX_TAG;

  public String metric() {
    return family().metric;
  }

  /** The series itself: a series is its own labels. */
  public Labels labels() {
    return this;
  }

  public MetricKind kind() {
    return family().kind;
  }

  /**
   * Which of the log's batches may still hold this series' latest record (0: none), for an
   * {@link AppendLog} that gathers records per request: read and set only by the log, during the
   * calls this series makes to it while holding its lock.
   */
  public int logBatch() {
    return logSlot();
  }

  /** See {@link #logBatch()}; from 0 to {@link #MAX_LOG_BATCH}. */
  public void logBatch(int batch) {
    if (batch < 0 || batch > MAX_LOG_BATCH) {
      throw new IllegalArgumentException("log batch " + batch + " out of range");
    }
    logSlot(batch);
  }

  /** The largest {@link #logBatch}: four bits of the head chunk's state hold it. */
  public static final int MAX_LOG_BATCH = Chunk.Head.MAX_LOG_SLOT;

  /**
   * State the writer keeps per series between points, such as the last cumulative value of a
   * counter stream. The store never reads it; it goes away with the series.
   */
  public synchronized Object writerState() {
    return state();
  }

  public synchronized void writerState(Object state) {
    if (!holds(state)) {
      family().log.writerState(this, state);
    }
    hold(state);
  }

  /** The writer state as {@link #writerState()} gives it; the caller holds the lock. */
  Object state() {
    return writerState;
  }

  /** Makes {@code state} the writer state; the caller holds the lock and has logged it. */
  void hold(Object state) {
    writerState = state;
  }

  /** Whether {@code state} is the writer state already, so that setting it changes nothing to log. */
  boolean holds(Object state) {
    return state == writerState;
  }

  public synchronized long lastTimeMs() {
    return lastTime();
  }

  /** The time of the newest sample, or {@code Long.MIN_VALUE} before the first. */
  private long lastTime() {
    if (isHistogram()) {
      return histograms().isEmpty() ? Long.MIN_VALUE : histograms().peekLast().timeMs();
    }
    if (hasHead()) {
      return headLastTime();
    }
    long[] sealed = sealed();
    return sealed.length == 0 ? Long.MIN_VALUE : Chunk.lastTime(sealed, SealedChunks.lastAt(sealed));
  }

  /** Appends a scalar sample (a gauge value, or a counter increase). */
  public synchronized AppendResult append(long timeMs, double value) {
    AppendResult result = put(timeMs, value);
    if (result == AppendResult.APPENDED) {
      family().log.sample(this, timeMs, value);
    }
    return result;
  }

  /**
   * Appends like {@link #append(long, double)} and, unless the sample is out of order, makes
   * {@code state} (null: none) the {@link #writerState}: a cumulative counter's point and the
   * state it leaves, in one step and one log record.
   */
  public synchronized AppendResult append(long timeMs, double value, Object state) {
    AppendResult result = put(timeMs, value);
    if (result == AppendResult.APPENDED && !holds(state)) {
      family().log.sample(this, timeMs, value, state);
      hold(state);
    } else if (result == AppendResult.APPENDED) {
      family().log.sample(this, timeMs, value);
    } else if (result == AppendResult.DUPLICATE) {
      writerState(state);
    }
    return result;
  }

  AppendResult put(long timeMs, double value) {
    Family f = family();
    if (f.kind == MetricKind.HISTOGRAM) {
      throw new IllegalStateException(f.metric + " is a histogram; append a HistogramSample");
    }
    long[] head = hasHead() ? f.pages.page(headAddress()) : null; // found once: it takes a few loads
    int at = headOffset();
    long lastTimeMs = head != null ? Chunk.lastTime(head, at) : lastTime();
    if (timeMs <= lastTimeMs) {
      boolean sameValue = timeMs == lastTimeMs && head != null
          && Double.doubleToRawLongBits(headLastValue(head, at)) == Double.doubleToRawLongBits(value);
      return sameValue ? AppendResult.DUPLICATE : AppendResult.OUT_OF_ORDER;
    }
    if (head == null) {
      start(value, Chunk.HEADER_WORDS + 2);
    } else if (Chunk.count(head, at) >= MAX_CHUNK_SAMPLES || timeMs - head[at] >= f.maxChunkSpanMs) {
      cutHead(value);
    }
    if (!encode(timeMs, value)) {
      cutHead(value); // the value does not fit the head's coding: a new chunk suits it
      encode(timeMs, value);
    }
    return AppendResult.APPENDED;
  }

  /**
   * The samples this head chunk will take at the rate so far until its span ends, or 120: a
   * series' first chunk would otherwise grow by half each time, and end with a third of its array
   * unused on average (its later chunks start at the size of the one before).
   */
  @Override
  int predictedWords() {
    int count = headCount();
    long spanMs = headLastTime() - headFirstTime();
    if (count < 2 || spanMs <= 0) {
      return 0;
    }
    long samples = 1 + (family().maxChunkSpanMs - 1) * (count - 1) / spanMs;
    return wordsFor((int) Math.min(MAX_CHUNK_SAMPLES, samples));
  }

  private void cutHead(double nextValue) {
    older = cutOnto(sealed(), nextValue);
  }

  /** Appends a histogram sample; a null sample is a stale marker. */
  public synchronized AppendResult appendHistogram(long timeMs, HistogramSample sample) {
    AppendResult result = putHistogram(timeMs, sample);
    if (result == AppendResult.APPENDED) {
      family().log.histogram(this, timeMs, sample);
    }
    return result;
  }

  /** {@link #appendHistogram(long, HistogramSample)} and its writer state, as {@link #append(long, double, Object)}. */
  public synchronized AppendResult appendHistogram(long timeMs, HistogramSample sample, Object state) {
    AppendResult result = putHistogram(timeMs, sample);
    if (result == AppendResult.APPENDED && !holds(state)) {
      family().log.histogram(this, timeMs, sample, state);
      hold(state);
    } else if (result == AppendResult.APPENDED) {
      family().log.histogram(this, timeMs, sample);
    } else if (result == AppendResult.DUPLICATE) {
      writerState(state);
    }
    return result;
  }

  private AppendResult putHistogram(long timeMs, HistogramSample sample) {
    Family f = family();
    if (f.kind != MetricKind.HISTOGRAM) {
      throw new IllegalStateException(f.metric + " is a " + f.kind.label() + "; append a double");
    }
    long lastTimeMs = lastTime();
    if (timeMs <= lastTimeMs) {
      boolean same = timeMs == lastTimeMs && Objects.equals(histograms().peekLast().sample(), sample);
      return same ? AppendResult.DUPLICATE : AppendResult.OUT_OF_ORDER;
    }
    histograms().addLast(new TimedHistogram(timeMs, sample));
    return AppendResult.APPENDED;
  }

  synchronized void forEachSample(long fromMs, long toMs, SampleVisitor visitor) {
    long[] sealed = sealed();
    for (int at = 0; at < sealed.length; at += SealedChunks.length(sealed, at)) {
      Chunk.forEach(sealed, at, fromMs, toMs, visitor);
    }
    if (hasHead()) {
      Chunk.forEach(headPage(), headOffset(), fromMs, toMs, visitor);
    }
  }

  /**
   * Appends the samples with {@code fromMs <= time < toMs} to the arrays of {@code sink}, growing
   * them as needed.
   */
  synchronized void collect(long fromMs, long toMs, SampleBuffer sink) {
    long[] sealed = sealed();
    long[] head = hasHead() ? headPage() : null; // read once: finding the page takes a few loads
    int headAt = headOffset();
    if (head != null && onlyNewestIn(sealed, head, headAt, fromMs, toMs)) {
      sink.add(Chunk.lastTime(head, headAt), headLastValue(head, headAt)); // a monitor's new bucket: no chunk to decode
      return;
    }
    for (int at = 0; at < sealed.length; at += SealedChunks.length(sealed, at)) {
      sink.decode(sealed, at, fromMs, toMs);
    }
    if (head != null) {
      sink.decode(head, headAt, fromMs, toMs);
    }
  }

  /**
   * Folds the samples with {@code fromMs <= time < toMs}, a range within the grid of {@code
   * fold}, into its buckets as {@link #collect} reads them; returns how many there were.
   */
  synchronized int fold(long fromMs, long toMs, BucketFold fold) {
    long[] sealed = sealed();
    long[] head = hasHead() ? headPage() : null;
    int headAt = headOffset();
    if (head != null && onlyNewestIn(sealed, head, headAt, fromMs, toMs)) {
      fold.add(Chunk.lastTime(head, headAt), headLastValue(head, headAt));
      return 1;
    }
    int samples = 0;
    for (int at = 0; at < sealed.length; at += SealedChunks.length(sealed, at)) {
      samples += Chunk.fold(sealed, at, fromMs, toMs, fold);
    }
    if (head != null) {
      samples += Chunk.fold(head, headAt, fromMs, toMs, fold);
    }
    return samples;
  }

  /**
   * Whether the newest sample, in the head chunk, is the only one with {@code fromMs <= time <
   * toMs}: it is in the range and the one before it (in the head, or the newest sealed chunk's
   * last) is not.
   */
  private boolean onlyNewestIn(long[] sealed, long[] head, int at, long fromMs, long toMs) {
    long last = Chunk.lastTime(head, at);
    int count = Chunk.count(head, at);
    if (count == 0 || last < fromMs || last >= toMs) {
      return false;
    }
    long previous = headPreviousTime(head, at);
    if (count < 2 && sealed.length > 0) {
      previous = Chunk.lastTime(sealed, SealedChunks.lastAt(sealed));
    }
    return previous < fromMs;
  }

  /** Growable arrays of samples that chunks decode into. */
  static final class SampleBuffer {
    long[] times = new long[128];
    double[] values = new double[128];
    int size;

    void add(long time, double value) {
      if (size == times.length) {
        times = Arrays.copyOf(times, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      times[size] = time;
      values[size++] = value;
    }

    void decode(long[] chunks, int at, long fromMs, long toMs) {
      int room = size + Chunk.count(chunks, at);
      if (room > times.length) {
        int capacity = Math.max(room, times.length * 2);
        times = Arrays.copyOf(times, capacity);
        values = Arrays.copyOf(values, capacity);
      }
      size = Chunk.decode(chunks, at, fromMs, toMs, times, values, size);
    }
  }

  synchronized void forEachHistogram(long fromMs, long toMs, HistogramVisitor visitor) {
    for (TimedHistogram h : histograms()) {
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
   * themselves) and says whether this emptied the series, in which case it is marked removed.
   */
  synchronized boolean evictBefore(long cutoffMs) {
    if (older == REMOVED) {
      return false; // counted by the eviction that removed it
    }
    if (isHistogram()) {
      while (!histograms().isEmpty() && histograms().peekFirst().timeMs() < cutoffMs) {
        histograms().pollFirst();
      }
      return markRemovedIf(histograms().isEmpty());
    }
    long[] sealed = sealed();
    int keepFrom = firstKept(sealed, cutoffMs);
    if (keepFrom > 0) {
      older = keepFrom == sealed.length ? NO_CHUNKS : Arrays.copyOfRange(sealed, keepFrom, sealed.length);
    }
    return markRemovedIf(keepFrom == sealed.length && (!hasHead() || headLastTime() < cutoffMs));
  }

  private boolean markRemovedIf(boolean empty) {
    if (empty) {
      discardContents();
    }
    return empty;
  }

  /** Empties a series of a store that is being discarded ({@link SeriesStore#discardRestored}). */
  synchronized void discard() {
    discardContents();
  }

  /**
   * Frees all the series holds but its labels, which may live on: other series may share one of
   * its label values ({@link PackedValue}), and {@link LabelStrings} may keep it a while. Its head
   * slot goes back to the metric's pages; readers see no samples.
   */
  private void discardContents() {
    older = REMOVED;
    writerState = null;
    releaseHead();
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
    if (older == REMOVED) {
      return null;
    }
    Object held = state();
    byte[] state = held == null ? null : stateEncoder.encode(held);
    long lastTimeMs = lastTime();
    if (isHistogram()) {
      List<TimedHistogram> kept = new ArrayList<>(histograms().size());
      for (TimedHistogram h : histograms()) {
        if (h.timeMs() >= cutoffMs || h == histograms().peekLast()) {
          kept.add(h);
        }
      }
      return new SeriesImage(this, lastTimeMs, state, NO_CHUNKS, null, kept);
    }
    long[] sealed = sealed();
    int keepFrom = firstKept(sealed, cutoffMs);
    long[] chunks = keepFrom == 0 ? sealed : Arrays.copyOfRange(sealed, keepFrom, sealed.length);
    return new SeriesImage(this, lastTimeMs, state, chunks, headImage(), List.of());
  }

  /** The offset of the first of {@code sealed} chunks that ends at or after {@code cutoffMs}. */
  private static int firstKept(long[] sealed, long cutoffMs) {
    int at = 0;
    while (at < sealed.length && Chunk.lastTime(sealed, at) < cutoffMs) {
      at += SealedChunks.length(sealed, at);
    }
    return at;
  }

  /** Encodes a writer state, which is not null, into bytes. */
  @FunctionalInterface
  interface StateEncoder {
    byte[] encode(Object state) throws IOException;
  }

  /**
   * What a snapshot keeps of a series: sealed chunks back to back as {@link SealedChunks} joins
   * them. Histogram samples are {@link TimedHistogram}s, a null sample a stale marker.
   */
  record SeriesImage(Series series, long lastTimeMs, byte[] writerState, long[] sealed, Chunk.HeadImage head,
      List<TimedHistogram> histograms) {}

  /**
   * {@code series}, just made ({@link Family#restored}), brought back from a snapshot as it was:
   * the chunks are taken as they are, never re-encoded, so appending continues exactly where it
   * stopped. Its last time is that of its newest sample, which the reader checks against what the
   * snapshot says.
   */
  static Series restore(Series series, Object writerState, long[] sealed, Chunk.HeadImage head,
      List<TimedHistogram> histograms) {
    series.hold(writerState);
    if (series.isHistogram()) {
      series.histograms().addAll(histograms);
    } else {
      if (head != null && !canResume(head)) {
        // Saved before deltas were bounded, with one too long to keep: its words are a sealed chunk.
        sealed = SealedChunks.append(sealed, head.words());
        head = null;
      }
      series.older = sealed.length == 0 ? NO_CHUNKS : sealed;
      if (head != null) {
        series.resume(head);
      }
    }
    return series;
  }

  /** True once eviction emptied and unlinked this series; writers must look it up again. */
  synchronized boolean isRemoved() {
    return older == REMOVED;
  }

  /** Visits histogram samples in time order; a null sample is a stale marker. */
  @FunctionalInterface
  interface HistogramVisitor {
    void sample(long timeMs, HistogramSample sample);
  }

  record TimedHistogram(long timeMs, HistogramSample sample) {}

  /** The metric and labels, as in {@code redis_up{node="n1"}}; {@link #toString} gives the labels alone. */
  public String describe() {
    return family().metric + this;
  }
}
