package io.tocsin.store;

/**
 * The series of a counter: a {@link Series} that keeps the state of its cumulative stream, the
 * last value as sent and the stream's start ({@link CounterState}), in fields of its own, changed
 * in place by the append that stores the point's increase. Ingest turns each point of a
 * cumulative counter into an increase from that state. Kept unboxed, it makes a series of 72
 * bytes instead of 64 and a 24-byte state object, and leaves no dead state object per point.
 *
 * <p>{@link #writerState()} still gives the state as a {@link CounterState}, and takes one (write-ahead
 * log replay, snapshots) or any other state a writer keeps, as every series does.
 */
public sealed class CounterSeries extends Series permits CounterSeries.Packed {
  /**
   * The stream's last value as sent, when the writer state is a {@link StreamStart}; 8 bytes on
   * top of a series' 64 (where the start takes the writer state's field).
   */
  private double lastValue;

  CounterSeries(long id, Labels.KeySet keySet, Object[] values) {
    super(id, keySet, values);
  }

  /** A counter's series that packs one of its label values into a word ({@link PackedValue}). */
  static final class Packed extends CounterSeries {
    private final long word;

    Packed(long id, Labels.KeySet keySet, Object[] values, long word) {
      super(id, keySet, values);
      this.word = word;
    }

    long word() {
      return word;
    }
  }

  /** Whether the series holds a counter stream's state: false before its first cumulative point and after a stale marker. */
  public synchronized boolean hasCounterState() {
    return super.state() instanceof StreamStart;
  }

  /**
   * The start of the stream whose state is held, in nanoseconds.
   *
   * @throws IllegalStateException when none is ({@link #hasCounterState()})
   */
  public synchronized long startNanos() {
    if (!(super.state() instanceof StreamStart start)) {
      throw new IllegalStateException(describe() + " holds no counter state");
    }
    return start.nanos();
  }

  /** The last value as sent of the stream whose state is held ({@link #hasCounterState()}); else meaningless. */
  public synchronized double lastValue() {
    return lastValue;
  }

  /**
   * Appends {@code value} (the increase a cumulative point makes) like {@link #append(long,
   * double)} and, unless the sample is out of order, makes the stream's state {@code startNanos}
   * and {@code lastValue} (the point's value as sent) in place, in one log record: as {@link
   * #append(long, double, Object)} with a {@link CounterState}, without making one.
   */
  public synchronized AppendResult append(long timeMs, double value, long startNanos, double lastValue) {
    AppendResult result = put(timeMs, value);
    if (result == AppendResult.APPENDED) {
      family().log.counterSample(this, timeMs, value, startNanos, lastValue);
      Object held = super.state();
      super.hold(held instanceof StreamStart s && s.nanos() == startNanos ? s : StreamStart.of(startNanos));
      this.lastValue = lastValue;
    } else if (result == AppendResult.DUPLICATE) {
      writerState(CounterState.of(startNanos, lastValue));
    }
    return result;
  }

  @Override
  Object state() {
    Object held = super.state();
    return held instanceof StreamStart start ? new CounterState(start, lastValue) : held;
  }

  @Override
  void hold(Object state) {
    if (state instanceof CounterState c) {
      super.hold(c.start());
      lastValue = c.lastValue();
    } else if (state instanceof StreamStart) {
      throw new IllegalArgumentException("a stream's start alone is no writer state; give a CounterState");
    } else {
      super.hold(state);
    }
  }

  @Override
  boolean holds(Object state) {
    if (state instanceof CounterState c) {
      return c.start().equals(super.state())
          && Double.doubleToRawLongBits(c.lastValue()) == Double.doubleToRawLongBits(lastValue);
    }
    return super.holds(state);
  }
}
