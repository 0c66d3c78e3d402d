package io.tocsin.store;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** Shared by the snapshot tests: a writer state and its codec, and whole-store descriptions to compare. */
final class SnapshotFixtures {
  private SnapshotFixtures() {}

  /** What ingest keeps per counter stream, in miniature: the last cumulative value and its start. */
  record CounterState(double lastCumulative, long startMs) {}

  /** Writes {@link CounterState}s as two numbers. */
  static class StateCodec implements WriterStateCodec {
    @Override
    public void write(Object state, DataOutput out) throws IOException {
      CounterState s = (CounterState) state;
      out.writeDouble(s.lastCumulative());
      out.writeLong(s.startMs());
    }

    @Override
    public Object read(DataInput in) throws IOException {
      return new CounterState(in.readDouble(), in.readLong());
    }
  }

  /**
   * Every series of {@code store} as the snapshot sees it with this cutoff, sorted: id, kind,
   * writer state, last time, the exact words of each chunk, the head's coding state, the
   * histogram samples. Two stores with equal descriptions read and append alike.
   */
  static List<String> internals(SeriesStore store, long cutoffMs) {
    List<String> out = new ArrayList<>();
    store.forEachSeries(s -> {
      Series.SeriesImage image;
      try {
        image = s.image(cutoffMs, state -> state.toString().getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      if (image == null) {
        return;
      }
      Chunk.HeadImage head = image.head();
      out.add(s.metric() + s.labels() + " id=" + s.id() + " " + s.kind() + " state=" + s.writerState() + " last="
          + image.lastTimeMs() + " sealed=" + Arrays.deepToString(image.sealed()) + " head="
          + (head == null ? "none" : Arrays.toString(head.words()) + "/" + head.bitLength() + "/" + head.lastDelta()
              + "/" + head.lastMantissa() + "/" + head.lastValueBits() + "/" + head.lastLeading() + "/"
              + head.lastTrailing())
          + " histograms=" + image.histograms());
    });
    Collections.sort(out);
    return out;
  }

  /** What the read API answers for every metric over {@code [fromMs, toMs)} in buckets of {@code stepMs}. */
  static List<String> reads(SeriesStore store, long fromMs, long toMs, long stepMs) {
    List<String> out = new ArrayList<>();
    BucketGrid grid = new BucketGrid(fromMs, stepMs, (int) ((toMs - fromMs) / stepMs));
    for (String metric : store.metricNames()) {
      for (SeriesSamples s : store.read(metric, l -> true, fromMs, toMs)) {
        out.add("read " + metric + s.labels() + " " + Arrays.toString(s.timesMs()) + " " + Arrays.toString(s.values()));
      }
      for (SeriesBuckets b : store.readBuckets(metric, l -> true, grid)) {
        out.add("buckets " + metric + b.labels() + " " + Arrays.toString(b.values()));
      }
      for (HistogramBuckets h : store.readHistogramBuckets(metric, l -> true, grid)) {
        out.add("histograms " + metric + h.labels() + " " + Arrays.toString(h.buckets()));
      }
      store.scanHistograms(metric, l -> true, fromMs, toMs, (labels, times, samples, size) ->
          out.add("scan " + metric + labels + " " + Arrays.toString(Arrays.copyOf(times, size)) + " "
              + Arrays.toString(Arrays.copyOf(samples, size))));
    }
    return out;
  }
}
