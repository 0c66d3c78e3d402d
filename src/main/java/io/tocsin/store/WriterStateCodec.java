package io.tocsin.store;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Turns the state a writer keeps in a series ({@link Series#writerState()}, such as the last
 * cumulative value of a counter stream) into bytes and back, so that the write-ahead log and
 * snapshots can bring it back after a restart. The store never looks inside the state: the stage
 * that owns it (ingest) implements this and hands it to the durable store when wiring.
 */
public interface WriterStateCodec {
  /** Writes {@code state}, which is not null. */
  void write(Object state, DataOutput out) throws IOException;

  /**
   * Writes the {@link CounterState} of {@code startNanos} and {@code lastValue}, as {@link #write}
   * would: a {@link CounterSeries} keeps it unboxed, and its log records write it on every point,
   * so a codec that knows counter states writes it without making one.
   */
  default void writeCounter(long startNanos, double lastValue, DataOutput out) throws IOException {
    write(CounterState.of(startNanos, lastValue), out);
  }

  /** Reads what {@link #write} wrote; an {@link IOException} for bytes it cannot read. */
  Object read(DataInput in) throws IOException;
}
