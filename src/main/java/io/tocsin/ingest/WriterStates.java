package io.tocsin.ingest;

import io.tocsin.ingest.PointWriter.ExponentialState;
import io.tocsin.ingest.PointWriter.HistogramState;
import io.tocsin.store.CounterState;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.WriterStateCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The bytes of the state {@link PointWriter} keeps per series, for the write-ahead log and
 * snapshots: a tag, then the record's fields as fixed-width numbers. A cumulative counter's state
 * ({@link CounterState}) is 17 bytes (tag {@link #CUMULATIVE_VALUE}); the 25 bytes of tag {@link
 * #CUMULATIVE}, which also held the time of the series' last sample, are still read.
 */
public final class WriterStates implements WriterStateCodec {
  public static final WriterStates CODEC = new WriterStates();

  /** Start, time and value: written before the state's time was taken from the series. */
  private static final int CUMULATIVE = 1;
  /** Start and value. */
  private static final int CUMULATIVE_VALUE = 4;
  private static final int HISTOGRAM = 2;
  private static final int EXPONENTIAL = 3;
  /** Arrays longer than this are damaged bytes, not a state (OTLP histograms have a few hundred buckets). */
  private static final int MAX_ARRAY = 1 << 16;

  private WriterStates() {}

  @Override
  public void write(Object state, DataOutput out) throws IOException {
    if (state instanceof CounterState c) {
      writeCounter(c.startNanos(), c.lastValue(), out);
    } else if (state instanceof HistogramState h) {
      out.writeByte(HISTOGRAM);
      out.writeLong(h.startNanos());
      out.writeLong(h.lastTimeMs());
      writeHistogram(h.last(), out);
    } else if (state instanceof ExponentialState e) {
      out.writeByte(EXPONENTIAL);
      out.writeLong(e.startNanos());
      out.writeLong(e.lastTimeMs());
      ExponentialBuckets b = e.last();
      out.writeInt(b.scale());
      out.writeDouble(b.zeroThreshold());
      out.writeLong(b.zeroCount());
      out.writeLong(b.count());
      out.writeDouble(b.sum());
      out.writeInt(b.positiveOffset());
      writeLongs(b.positive(), out);
      out.writeInt(b.negativeOffset());
      writeLongs(b.negative(), out);
      ExponentialBuckets.Layout l = e.layout();
      out.writeInt(l.scale());
      out.writeInt(l.negativeOffset());
      out.writeInt(l.negativeLength());
      out.writeInt(l.positiveOffset());
      out.writeInt(l.positiveLength());
      writeDoubles(e.bounds(), out);
    } else {
      throw new IOException("not a writer state of ingest: " + state.getClass().getName());
    }
  }

  @Override
  public void writeCounter(long startNanos, double lastValue, DataOutput out) throws IOException {
    out.writeByte(CUMULATIVE_VALUE);
    out.writeLong(startNanos);
    out.writeDouble(lastValue);
  }

  @Override
  public Object read(DataInput in) throws IOException {
    int tag = in.readUnsignedByte();
    if (tag == CUMULATIVE_VALUE) {
      return CounterState.of(in.readLong(), in.readDouble());
    }
    long startNanos = in.readLong();
    long lastTimeMs = in.readLong();
    return switch (tag) {
      case CUMULATIVE -> CounterState.of(startNanos, in.readDouble()); // the time is the series' last sample's
      case HISTOGRAM -> new HistogramState(startNanos, lastTimeMs, readHistogram(in));
      case EXPONENTIAL -> {
        ExponentialBuckets last = new ExponentialBuckets(in.readInt(), in.readDouble(), in.readLong(), in.readLong(),
            in.readDouble(), in.readInt(), readLongs(in), in.readInt(), readLongs(in));
        ExponentialBuckets.Layout layout = new ExponentialBuckets.Layout(in.readInt(), in.readInt(), in.readInt(),
            in.readInt(), in.readInt());
        yield new ExponentialState(startNanos, lastTimeMs, last, layout, readDoubles(in));
      }
      default -> throw new IOException("unknown writer state tag " + tag);
    };
  }

  private static void writeHistogram(HistogramSample h, DataOutput out) throws IOException {
    out.writeDouble(h.count());
    out.writeDouble(h.sum());
    writeDoubles(h.bounds(), out);
    writeDoubles(h.counts(), out);
  }

  private static HistogramSample readHistogram(DataInput in) throws IOException {
    double count = in.readDouble();
    double sum = in.readDouble();
    double[] bounds = readDoubles(in);
    double[] counts = readDoubles(in);
    try {
      return new HistogramSample(count, sum, bounds, counts);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage());
    }
  }

  private static void writeDoubles(double[] values, DataOutput out) throws IOException {
    out.writeInt(values.length);
    for (double v : values) {
      out.writeDouble(v);
    }
  }

  private static double[] readDoubles(DataInput in) throws IOException {
    double[] values = new double[length(in)];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readDouble();
    }
    return values;
  }

  private static void writeLongs(long[] values, DataOutput out) throws IOException {
    out.writeInt(values.length);
    for (long v : values) {
      out.writeLong(v);
    }
  }

  private static long[] readLongs(DataInput in) throws IOException {
    long[] values = new long[length(in)];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readLong();
    }
    return values;
  }

  private static int length(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_ARRAY) {
      throw new IOException("array length " + n + " out of range");
    }
    return n;
  }
}
