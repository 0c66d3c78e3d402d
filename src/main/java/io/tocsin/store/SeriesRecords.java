package io.tocsin.store;

import io.tocsin.store.Series.SeriesImage;
import io.tocsin.store.Series.TimedHistogram;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * One series in a snapshot block: id, metric, kind, labels, last time, writer state, then its
 * samples as the store keeps them, so that nothing is decoded or re-encoded on either side:
 *
 * <pre>
 * id varint | metric string | kind byte | label count varint, key and value strings
 * last time long | writer state bytes (or none)
 * scalar:    sealed chunk count varint, each chunk's words | head flag byte
 *            [head words | bit length varint | last delta, mantissa, value bits longs | leading+1, trailing bytes]
 * histogram: sample count varint, each: time delta varint | flags byte (1 stale, 2 bounds as before)
 *            [count, sum doubles | bounds doubles unless as before | bucket counts doubles]
 * </pre>
 *
 * Chunk words are those of {@link Chunk}; chunks of formats 1 and 2 ({@link SnapshotMeta#format})
 * are coded again as they are read ({@link ChunkFormat2}), the head's coding state then unused.
 */
final class SeriesRecords {
  private static final int STALE = 1;
  private static final int SAME_BOUNDS = 2;

  private SeriesRecords() {}

  static void write(BlockOutput out, SeriesImage image) {
    Series series = image.series();
    out.putVarLong(series.id());
    out.putString(series.metric());
    out.putByte(kindCode(series.kind()));
    Labels labels = series.labels();
    out.putVarLong(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      out.putString(labels.key(i));
      out.putString(labels.value(i));
    }
    out.putLong(image.lastTimeMs());
    out.putBytes(image.writerState());
    if (series.kind() == MetricKind.HISTOGRAM) {
      writeHistograms(out, image.histograms());
      return;
    }
    long[] sealed = image.sealed();
    int chunks = 0;
    for (int at = 0; at < sealed.length; at += SealedChunks.length(sealed, at)) {
      chunks++;
    }
    out.putVarLong(chunks);
    for (int at = 0; at < sealed.length; at += SealedChunks.length(sealed, at)) {
      out.putWords(sealed, at, SealedChunks.length(sealed, at));
    }
    Chunk.HeadImage head = image.head();
    out.putByte(head == null ? 0 : 1);
    if (head != null) {
      out.putWords(head.words());
      out.putVarLong(head.bitLength());
      out.putLong(head.lastDelta());
      out.putLong(head.lastMantissa());
      out.putLong(head.lastValueBits());
      out.putByte(head.lastLeading() + 1);
      out.putByte(head.lastTrailing());
    }
  }

  private static void writeHistograms(BlockOutput out, List<TimedHistogram> histograms) {
    out.putVarLong(histograms.size());
    long previousTime = 0;
    double[] previousBounds = null;
    for (TimedHistogram h : histograms) {
      out.putVarLong(h.timeMs() - previousTime);
      previousTime = h.timeMs();
      HistogramSample sample = h.sample();
      if (sample == null) {
        out.putByte(STALE);
        continue;
      }
      boolean sameBounds = sample.bounds() == previousBounds;
      out.putByte(sameBounds ? SAME_BOUNDS : 0);
      out.putDouble(sample.count());
      out.putDouble(sample.sum());
      if (!sameBounds) {
        out.putDoubles(sample.bounds());
        previousBounds = sample.bounds();
      }
      out.putDoubles(sample.counts());
    }
  }

  /**
   * Reads one series. Sealed chunks and histogram samples older than {@code cutoffMs} (the
   * retention may have shrunk since the snapshot) are skipped, as {@link Series#image} does.
   *
   * @param format the snapshot's {@link SnapshotMeta#format}
   * @param samples gets the number of samples restored added to its first element
   */
  static Series read(BlockInput in, int format, SeriesStore store, long cutoffMs, WriterStateCodec codec,
      long[] samples) throws IOException {
    long id = in.getVarLong();
    String metric = in.getString();
    MetricKind kind = kind(in.getByte());
    Family family = store.family(metric, kind);
    int size = in.getLength(2);
    String[] keys = new String[size];
    Object[] values = new Object[size];
    for (int i = 0; i < size; i++) {
      keys[i] = in.getString();
      values[i] = in.getLabelValue();
    }
    if (id <= 0 || id > Series.MAX_ID) {
      throw new IOException(metric + pairs(keys, values) + " has the id " + id);
    }
    Series series;
    try {
      series = family.restored(id, keys, values);
    } catch (IllegalArgumentException e) {
      throw new IOException(metric + ": " + e.getMessage(), e);
    }
    long lastTimeMs = in.getLong();
    Object state = readState(in.getBytes(), codec, metric, series);
    if (kind == MetricKind.HISTOGRAM) {
      List<TimedHistogram> histograms = readHistograms(in, cutoffMs, lastTimeMs, metric, series);
      samples[0] += histograms.size();
      return Series.restore(series, state, null, null, histograms);
    }
    int count = in.getLength(8 * Chunk.HEADER_WORDS);
    long[] previousLast = {Long.MIN_VALUE};
    // Chunks of formats 1 and 2, coded again; the current format's are read as they are, into one array.
    List<long[]> converted = format >= SnapshotMeta.TWO_WORD_CHUNKS ? null : new ArrayList<>(count);
    long[] sealed = converted == null ? readSealed(in, count, previousLast, cutoffMs, metric, series, samples) : null;
    for (int i = 0; converted != null && i < count; i++) {
      long[] words = in.getWords();
      keep(convert(metric, series, () -> ChunkFormat2.sealed(words, format)), converted, previousLast, cutoffMs,
          metric, series, samples);
    }
    Chunk.HeadImage head = null;
    if (in.getByte() == 1) {
      long[] words = in.getWords();
      int bitLength = (int) in.getVarLong();
      long lastDelta = in.getLong();
      long lastMantissa = in.getLong();
      long lastValueBits = in.getLong();
      int lastLeading = in.getByte() - 1;
      int lastTrailing = in.getByte();
      if (converted == null) {
        try {
          head = new Chunk.HeadImage(words, bitLength, lastDelta, lastMantissa, lastValueBits, lastLeading,
              lastTrailing);
        } catch (IllegalArgumentException e) {
          throw invalid(metric, series, e);
        }
      } else {
        ChunkFormat2.Head older = convert(metric, series, () -> ChunkFormat2.head(words, bitLength, format));
        keep(older.sealed(), converted, previousLast, cutoffMs, metric, series, samples);
        head = older.head();
      }
      if (Chunk.firstTime(head.words()) <= previousLast[0] || Chunk.count(head.words()) < 1) {
        throw new IOException(metric + series + " has a head chunk out of order or without samples");
      }
      previousLast[0] = Chunk.lastTime(head.words());
      samples[0] += Chunk.count(head.words());
    }
    if (previousLast[0] != lastTimeMs) {
      throw new IOException(metric + series + " ends at " + previousLast[0] + ", not at its last time " + lastTimeMs);
    }
    if (converted != null) {
      // Joining sets each chunk's length in its header: files from before chunks were joined have none there.
      sealed = SealedChunks.join(converted.toArray(new long[0][]), converted.size());
    }
    return Series.restore(series, state, sealed, head, null);
  }

  /** The labels of {@code keys} and {@code values} as read, for a message. */
  private static Labels pairs(String[] keys, Object[] values) {
    Labels.Builder builder = Labels.builder();
    for (int i = 0; i < keys.length; i++) {
      builder.put(keys[i], LabelValue.string(values[i]));
    }
    return builder.build();
  }

  /**
   * The {@code count} sealed chunks of a series in the current format, those ending late enough
   * kept, back to back in one array as {@link SealedChunks} holds them. They are read into the
   * block's work array first and copied once: an array per chunk, then one joining them, were
   * the largest part of what a snapshot load allocated (a third of 1.17 GB for a million series),
   * and collecting such garbage took a fifth to a half of the load's time.
   */
  private static long[] readSealed(BlockInput in, int count, long[] previousLast, long cutoffMs, String metric,
      Labels labels, long[] samples) throws IOException {
    int kept = 0;
    for (int i = 0; i < count; i++) {
      int words = in.getWordCount();
      long[] work = in.workWords(kept + words);
      in.getWords(work, kept, words);
      if (keep(work, kept, words, previousLast, cutoffMs, metric, labels)) {
        // The length the record gives, whatever the header holds: walking the array relies on it.
        try {
          SealedChunks.setLength(work, kept, words);
        } catch (IllegalArgumentException e) {
          throw invalid(metric, labels, e);
        }
        samples[0] += Chunk.count(work, kept);
        kept += words;
      }
    }
    return Arrays.copyOf(in.workWords(kept), kept);
  }

  /** Adds those of {@code chunks} that {@link #keep} keeps to {@code kept}, and their samples to {@code samples[0]}. */
  private static void keep(List<long[]> chunks, List<long[]> kept, long[] previousLast, long cutoffMs, String metric,
      Labels labels, long[] samples) throws IOException {
    for (long[] chunk : chunks) {
      if (keep(chunk, 0, chunk.length, previousLast, cutoffMs, metric, labels)) {
        kept.add(chunk);
        samples[0] += Chunk.count(chunk);
      }
    }
  }

  /**
   * Whether the sealed chunk of {@code length} words at {@code at}, checked to follow the one
   * before ({@code previousLast[0]}, which it becomes), ends late enough to keep.
   */
  private static boolean keep(long[] chunks, int at, int length, long[] previousLast, long cutoffMs, String metric,
      Labels labels) throws IOException {
    if (!Chunk.wellFormed(chunks, at, length) || Chunk.firstTime(chunks, at) <= previousLast[0]) {
      throw new IOException(metric + labels + " has a chunk out of order or without samples");
    }
    previousLast[0] = Chunk.lastTime(chunks, at);
    return previousLast[0] >= cutoffMs;
  }

  private static IOException invalid(String metric, Labels labels, IllegalArgumentException e) {
    return new IOException(metric + labels + ": " + e.getMessage(), e);
  }

  /** What {@code reading} makes of a chunk, or an IOException naming the series when it is not one a writer made. */
  private static <T> T convert(String metric, Labels labels, Supplier<T> reading) throws IOException {
    try {
      return reading.get();
    } catch (IllegalArgumentException e) {
      throw invalid(metric, labels, e);
    }
  }

  private static Object readState(ByteBuffer bytes, WriterStateCodec codec, String metric, Labels labels)
      throws IOException {
    if (bytes == null) {
      return null;
    }
    ByteArrayInputStream stream = new ByteArrayInputStream(bytes.array(), bytes.arrayOffset() + bytes.position(),
        bytes.remaining());
    Object state = codec.read(new DataInputStream(stream));
    if (stream.available() != 0) {
      throw new IOException("the writer state of " + metric + labels + " has " + stream.available()
          + " bytes its codec did not read");
    }
    return state;
  }

  private static List<TimedHistogram> readHistograms(BlockInput in, long cutoffMs, long lastTimeMs, String metric,
      Labels labels) throws IOException {
    int count = in.getLength(2);
    List<TimedHistogram> histograms = new ArrayList<>(count);
    long time = 0;
    double[] bounds = null;
    for (int i = 0; i < count; i++) {
      long delta = in.getVarLong();
      if (i > 0 && delta <= 0) {
        throw new IOException(metric + labels + " has histogram samples out of order");
      }
      time += delta;
      int flags = in.getByte();
      HistogramSample sample = null;
      if (flags != STALE) {
        double sampleCount = in.getDouble();
        double sum = in.getDouble();
        if ((flags & SAME_BOUNDS) == 0) {
          bounds = in.getDoubles();
        } else if (bounds == null) {
          throw new IOException(metric + labels + " refers to histogram bounds it never gave");
        }
        try {
          sample = new HistogramSample(sampleCount, sum, bounds, in.getDoubles());
        } catch (IllegalArgumentException e) {
          throw new IOException(metric + labels + ": " + e.getMessage(), e);
        }
      }
      if (time >= cutoffMs || i == count - 1) {
        histograms.add(new TimedHistogram(time, sample));
      }
    }
    if ((count == 0 ? Long.MIN_VALUE : time) != lastTimeMs) {
      throw new IOException(metric + labels + " ends at " + time + ", not at its last time " + lastTimeMs);
    }
    return histograms;
  }

  /** Kinds by a number of their own, so that reordering the enum does not change the format. */
  private static int kindCode(MetricKind kind) {
    return switch (kind) {
      case GAUGE -> 1;
      case COUNTER -> 2;
      case ADDITIVE -> 3;
      case HISTOGRAM -> 4;
    };
  }

  private static MetricKind kind(int code) throws IOException {
    return switch (code) {
      case 1 -> MetricKind.GAUGE;
      case 2 -> MetricKind.COUNTER;
      case 3 -> MetricKind.ADDITIVE;
      case 4 -> MetricKind.HISTOGRAM;
      default -> throw new IOException("unknown metric kind " + code);
    };
  }
}
