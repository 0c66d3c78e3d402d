package io.tocsin.store;

/**
 * Consecutive time buckets {@code [start + i*step, start + (i+1)*step)} for {@code i < count}.
 * Monitors use grids aligned to the Unix epoch in steps of their grouping interval.
 */
public record BucketGrid(long startMs, long stepMs, int count) {
  public BucketGrid {
    if (stepMs <= 0) {
      throw new IllegalArgumentException("bucket step must be positive, got " + stepMs + "ms");
    }
    if (count < 0) {
      throw new IllegalArgumentException("bucket count must not be negative, got " + count);
    }
  }

  /** The {@code count} buckets that end at or before {@code endMs}, aligned to the epoch. */
  public static BucketGrid endingAt(long endMs, long stepMs, int count) {
    long alignedEnd = Math.floorDiv(endMs, stepMs) * stepMs;
    return new BucketGrid(alignedEnd - count * stepMs, stepMs, count);
  }

  public long endMs() {
    return startMs + count * stepMs;
  }

  public long bucketStart(int index) {
    return startMs + index * stepMs;
  }

  /** Bucket index of {@code timeMs}, or -1 when outside the grid. */
  public int indexOf(long timeMs) {
    if (timeMs < startMs || timeMs >= endMs()) {
      return -1;
    }
    return (int) ((timeMs - startMs) / stepMs);
  }
}
