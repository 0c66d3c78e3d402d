package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.Series.AppendResult;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * A {@link CounterSeries}, which keeps a counter's state unboxed and changes it in place, against
 * the reference: a plain series given the same state as a {@link CounterState} object per point,
 * as every series kept it before. Both take the same writes; they must answer the same, hold the
 * same state, and log the same samples and state changes.
 */
class CounterSeriesPropertiesTest {
  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  /** What a write does: a point with its state, a state alone (none: cleared), or a stale marker. */
  enum Action { POINT, STATE, CLEAR, STALE }

  /** One write, {@code gapMs} after the last point's time (0 or less: a duplicate or out of order). */
  record Op(Action action, long gapMs, double value, long startNanos, double lastValue) {}

  @Property(tries = 200)
  void counterSeries_keepsAnswersAndLogsItsStateAsAPlainSeriesWithCounterStates(@ForAll("ops") List<Op> ops) {
    RecordingLog log = new RecordingLog();
    SeriesStore store = new SeriesStore(new MutableClock(Instant.ofEpochMilli(T0)),
        new StoreSettings(Duration.ofHours(1), 10, 10));
    store.attachLog(log);
    Labels labels = Labels.of("node", "n1");
    long time = T0;
    for (Op op : ops) {
      long t = time += op.gapMs();
      List<AppendResult> results = new ArrayList<>();
      store.write("hits", MetricKind.COUNTER, labels, s -> results.add(apply((CounterSeries) s, op, t)));
      store.write("reference", MetricKind.GAUGE, labels, s -> results.add(applyBoxed(s, op, t)));
      time = Math.max(T0, time);

      assertThat(results.get(0)).as(op.toString()).isEqualTo(results.get(1));
      store.write("hits", MetricKind.COUNTER, labels, s -> store.write("reference", MetricKind.GAUGE, labels,
          r -> {
            assertThat(s.writerState()).isEqualTo(r.writerState());
            assertThat(((CounterSeries) s).hasCounterState()).isEqualTo(r.writerState() instanceof CounterState);
            if (r.writerState() instanceof CounterState c) {
              assertThat(((CounterSeries) s).startNanos()).isEqualTo(c.startNanos());
              assertThat(Double.doubleToRawLongBits(((CounterSeries) s).lastValue()))
                  .isEqualTo(Double.doubleToRawLongBits(c.lastValue()));
            }
          }));
    }
    assertThat(log.of("hits")).isEqualTo(log.of("reference"));
    List<SeriesSamples> counter = store.read("hits", l -> true, 0, Long.MAX_VALUE);
    List<SeriesSamples> reference = store.read("reference", l -> true, 0, Long.MAX_VALUE);
    assertThat(counter).hasSameSizeAs(reference);
    for (int i = 0; i < counter.size(); i++) {
      assertThat(counter.get(i).timesMs()).isEqualTo(reference.get(i).timesMs());
      assertThat(counter.get(i).values()).isEqualTo(reference.get(i).values());
    }
  }

  private static AppendResult apply(CounterSeries series, Op op, long t) {
    return switch (op.action()) {
      case POINT -> series.append(t, op.value(), op.startNanos(), op.lastValue());
      case STATE -> set(series, CounterState.of(op.startNanos(), op.lastValue()));
      case CLEAR -> set(series, null);
      case STALE -> series.append(t, StaleMarker.VALUE, null);
    };
  }

  private static AppendResult applyBoxed(Series series, Op op, long t) {
    return switch (op.action()) {
      case POINT -> series.append(t, op.value(), CounterState.of(op.startNanos(), op.lastValue()));
      case STATE -> set(series, CounterState.of(op.startNanos(), op.lastValue()));
      case CLEAR -> set(series, null);
      case STALE -> series.append(t, StaleMarker.VALUE, null);
    };
  }

  private static AppendResult set(Series series, Object state) {
    series.writerState(state);
    return null;
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Double> values = Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.integers().between(0, 50).map(Integer::doubleValue)),
        Tuple.of(2, Arbitraries.doubles()),
        Tuple.of(1, Arbitraries.of(Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY)));
    Arbitrary<Long> gaps = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.longs().between(1, 30_000)),
        Tuple.of(2, Arbitraries.of(0L)),
        Tuple.of(1, Arbitraries.longs().between(-30_000, -1)));
    return Combinators.combine(Arbitraries.frequency(Tuple.of(8, Action.POINT), Tuple.of(1, Action.STATE),
            Tuple.of(1, Action.CLEAR), Tuple.of(1, Action.STALE)), gaps, values,
        Arbitraries.of(0L, 5L, 1_700_000_000_000_000_000L), values).as(Op::new)
        .list().ofMaxSize(60);
  }

  /**
   * The log's records by metric, with the state written as its codec would (start and value); a
   * state record that sets the state the series held already is left out, since it changes nothing.
   */
  static final class RecordingLog implements AppendLog {
    private final Map<String, List<String>> records = new HashMap<>();
    private final Map<String, String> states = new HashMap<>();

    List<String> of(String metric) {
      return records.getOrDefault(metric, List.of());
    }

    private void add(Series series, String record) {
      records.computeIfAbsent(series.metric(), m -> new ArrayList<>()).add(record);
    }

    private String state(Series series, Object state) {
      String text = state == null ? "none" : ((CounterState) state).startNanos() + "/"
          + Double.doubleToRawLongBits(((CounterState) state).lastValue());
      states.put(series.metric(), text);
      return text;
    }

    @Override
    public void sample(Series series, long timeMs, double value) {
      add(series, "sample " + timeMs + " " + Double.doubleToRawLongBits(value));
    }

    @Override
    public void sample(Series series, long timeMs, double value, Object state) {
      add(series, "sample " + timeMs + " " + Double.doubleToRawLongBits(value) + " state " + state(series, state));
    }

    @Override
    public void counterSample(Series series, long timeMs, double value, long startNanos, double lastValue) {
      sample(series, timeMs, value, CounterState.of(startNanos, lastValue));
    }

    @Override
    public void histogram(Series series, long timeMs, HistogramSample sample) {
      throw new AssertionError("no histograms here");
    }

    @Override
    public void histogram(Series series, long timeMs, HistogramSample sample, Object state) {
      throw new AssertionError("no histograms here");
    }

    @Override
    public void writerState(Series series, Object state) {
      String before = states.getOrDefault(series.metric(), "none");
      String after = state(series, state);
      if (!after.equals(before)) {
        add(series, "state " + after);
      }
    }

    @Override
    public void commit() {}

    @Override
    public IOException failure() {
      return null;
    }
  }
}
