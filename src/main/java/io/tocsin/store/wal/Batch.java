package io.tocsin.store.wal;

import java.util.Arrays;

/**
 * Framed records waiting to be written, split into parts by the segment they belong to (a part
 * may be empty: a segment that was cut before anything went into it must still be created).
 */
final class Batch {
  /** What its buffer starts with, and keeps while the log is idle. */
  private static final int IDLE_BYTES = 64 << 10;
  final RecordBuffer data = new RecordBuffer(IDLE_BYTES);
  int[] partStart = new int[4];
  long[] partSegment = new long[4];
  int parts;
  /** The part being written, and the bytes of {@link #data} already written (a failure may interrupt). */
  int part;
  int done;

  void reset(long segment) {
    data.clear();
    parts = 1;
    partStart[0] = 0;
    partSegment[0] = segment;
    part = 0;
    done = 0;
  }

  /** Records from here on go to {@code segment}. */
  void cut(long segment) {
    if (parts == partStart.length) {
      partStart = Arrays.copyOf(partStart, parts * 2);
      partSegment = Arrays.copyOf(partSegment, parts * 2);
    }
    partStart[parts] = data.size;
    partSegment[parts] = segment;
    parts++;
  }

  int partEnd(int part) {
    return part + 1 < parts ? partStart[part + 1] : data.size;
  }

  /** True when writing it would do something: bytes, or a segment to create. */
  boolean hasWork(long openSegment) {
    return done < data.size || part < parts - 1 || partSegment[part] != openSegment;
  }

  /**
   * Gives back what a burst of records grew, when everything in it is written: the log is idle.
   * Its records, all written, are not needed again (its size, 0 from here, is at most {@link #done}).
   */
  void trimIdle() {
    if (done >= data.size) {
      data.trimTo(IDLE_BYTES);
    }
  }
}
