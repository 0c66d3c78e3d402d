package io.tocsin.store;

/**
 * The last point of a cumulative counter stream, or a delta up-down counter's running total: its
 * value as sent and the stream's start. Its time is that of the series' newest sample, which this
 * state always comes with.
 *
 * <p>A {@link CounterSeries} keeps these two in fields of its own and makes one of these only
 * when asked for its {@link Series#writerState()} (snapshots, tests); other series, and write-ahead
 * log replay, pass it as a writer state like any other.
 */
public record CounterState(StreamStart start, double lastValue) {
  public static CounterState of(long startNanos, double lastValue) {
    return new CounterState(StreamStart.of(startNanos), lastValue);
  }

  public long startNanos() {
    return start.nanos();
  }
}
