package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/** Shared by the snapshot tests: data of every kind, a writer state and its codec, whole-store descriptions. */
final class SnapshotFixtures {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final long START = T0.toEpochMilli();
  static final long STEP = 15_000;
  static final double[] BOUNDS = {0.1, 1, 10};
  static final double[] OTHER_BOUNDS = {0.5, 5};

  private SnapshotFixtures() {}

  /**
   * Appends steps {@code from <= step < to}, 15 s apart from {@link #START}, of three series of
   * each kind: gauges with decimal and long-fraction values, NaN, infinities and stale markers,
   * counters with writer states, additive sums, histograms whose layout changes at step 300 and
   * with stale markers.
   */
  static void append(SeriesStore store, int from, int to) {
    for (int step = from; step < to; step++) {
      long t = START + step * STEP;
      int i = step;
      for (String node : List.of("n1", "n2", "n3")) {
        Labels labels = Labels.of("node", node, "region", "eu");
        double mem = i % 50 == 49 ? StaleMarker.VALUE : i % 97 == 5 ? Double.NaN : i * 0.25 + node.hashCode() % 7;
        write(store, "mem", MetricKind.GAUGE, labels, s -> s.append(t, mem));
        write(store, "ratio", MetricKind.GAUGE, labels, s -> s.append(t, i % 60 == 7 ? Double.POSITIVE_INFINITY
            : Math.sin(i) / 3));
        write(store, "hits", MetricKind.COUNTER, labels, s -> {
          s.append(t, i % 7);
          s.writerState(new CounterState(i * 3.5, START));
        });
        write(store, "queue", MetricKind.ADDITIVE, labels, s -> s.append(t, (i % 13) - 6));
        double[] bounds = i < 300 ? BOUNDS : OTHER_BOUNDS;
        HistogramSample h = i % 100 == 99 ? null
            : new HistogramSample(i % 5, i * 0.5, bounds, i < 300 ? new double[] {1, 0, i % 3, 0} : new double[] {0, 1, 1});
        write(store, "latency", MetricKind.HISTOGRAM, labels, s -> s.appendHistogram(t, h));
      }
    }
  }

  /** Writes through the store's write path and checks the write was admitted. */
  static void write(SeriesStore store, String metric, MetricKind kind, Labels labels, Consumer<Series> action) {
    assertThat(store.write(metric, kind, labels, action)).isEqualTo(SeriesStore.Admission.OK);
  }

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
          + image.lastTimeMs() + " sealed=" + Arrays.toString(image.sealed()) + " head="
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
