package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.store.Series.AppendResult;
import io.tocsin.store.SeriesStore.Admission;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class CounterSeriesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Labels LABELS = Labels.of("node", "n1");
  private final SeriesStore store = new SeriesStore(new MutableClock(T0), new StoreSettings(Duration.ofHours(1), 10, 10));

  private static long t(int seconds) {
    return T0.toEpochMilli() + seconds * 1000L;
  }

  private Series series(String metric, MetricKind kind) {
    List<Series> found = new ArrayList<>();
    write(metric, kind, found::add);
    return found.get(0);
  }

  private void write(String metric, MetricKind kind, Consumer<Series> action) {
    assertThat(store.write(metric, kind, LABELS, action)).isEqualTo(Admission.OK);
  }

  private CounterSeries counter() {
    return (CounterSeries) series("hits", MetricKind.COUNTER);
  }

  @Test
  void series_ofACounterOnly_isACounterSeries() {
    assertThat(series("hits", MetricKind.COUNTER)).isInstanceOf(CounterSeries.class);
    assertThat(series("mem", MetricKind.GAUGE)).isNotInstanceOf(CounterSeries.class);
    assertThat(series("queue", MetricKind.ADDITIVE)).isNotInstanceOf(CounterSeries.class);
    assertThat(series("latency", MetricKind.HISTOGRAM)).isNotInstanceOf(CounterSeries.class);
  }

  @Test
  void append_keepsTheStreamsStateInPlace_andGivesItAsACounterState() {
    CounterSeries hits = counter();
    assertThat(hits.hasCounterState()).isFalse();
    assertThat(hits.writerState()).isNull();
    assertThatThrownBy(hits::startNanos).isInstanceOf(IllegalStateException.class)
        .hasMessage("hits{node=\"n1\"} holds no counter state");

    List<AppendResult> results = new ArrayList<>();
    write("hits", MetricKind.COUNTER, s -> results.add(((CounterSeries) s).append(t(0), 0, 7_000, 100)));
    write("hits", MetricKind.COUNTER, s -> results.add(((CounterSeries) s).append(t(15), 10, 7_000, 110)));
    write("hits", MetricKind.COUNTER, s -> results.add(((CounterSeries) s).append(t(15), 3, 8_000, 3)));

    assertThat(results).containsExactly(AppendResult.APPENDED, AppendResult.APPENDED, AppendResult.OUT_OF_ORDER);
    assertThat(hits.hasCounterState()).isTrue();
    assertThat(hits.startNanos()).as("an out-of-order point leaves the state").isEqualTo(7_000);
    assertThat(hits.lastValue()).isEqualTo(110);
    assertThat(hits.writerState()).isEqualTo(CounterState.of(7_000, 110));
    assertThat(((CounterState) hits.writerState()).start()).isSameAs(StreamStart.of(7_000));
    assertThat(store.read("hits", l -> true, t(0), t(60)).get(0).values()).containsExactly(0, 10);
  }

  @Test
  void writerState_takesACounterStateUnboxed_anyOtherStateAsItIs_andNull() {
    CounterSeries hits = counter();
    Object other = List.of("a state of some other writer");
    write("hits", MetricKind.COUNTER, s -> s.writerState(CounterState.of(5, 42.5)));
    assertThat(hits.hasCounterState()).isTrue();
    assertThat(hits.startNanos()).isEqualTo(5);
    assertThat(hits.lastValue()).isEqualTo(42.5);

    write("hits", MetricKind.COUNTER, s -> s.writerState(other));
    assertThat(hits.hasCounterState()).isFalse();
    assertThat(hits.writerState()).isSameAs(other);

    write("hits", MetricKind.COUNTER, s -> s.writerState(CounterState.of(5, 1)));
    write("hits", MetricKind.COUNTER, s -> s.append(t(0), StaleMarker.VALUE, null));
    assertThat(hits.hasCounterState()).as("a stale marker ends the stream").isFalse();
    assertThat(hits.writerState()).isNull();
    assertThatThrownBy(() -> write("hits", MetricKind.COUNTER, s -> s.writerState(StreamStart.of(5))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void duplicate_setsTheStateItCameWith() {
    CounterSeries hits = counter();
    write("hits", MetricKind.COUNTER, s -> s.append(t(0), 0));
    List<AppendResult> results = new ArrayList<>();
    write("hits", MetricKind.COUNTER, s -> results.add(((CounterSeries) s).append(t(0), 0, 9, 50)));

    assertThat(results).containsExactly(AppendResult.DUPLICATE);
    assertThat(hits.writerState()).isEqualTo(CounterState.of(9, 50));
  }
}
