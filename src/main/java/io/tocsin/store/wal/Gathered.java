package io.tocsin.store.wal;

import io.tocsin.store.Series;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * One of the log's batches: records a {@link WriteAheadLog#gather}ing framed and not yet added to
 * the log's shared buffer, with the series they are about (to define them there first) and their
 * latest time. Guarded by itself: its thread adds to it, and any thread may flush it (see {@link
 * WriteAheadLog}).
 */
final class Gathered {
  /**
   * A batch is added to the log's shared buffer as soon as it holds this much: its buffer grows to
   * 64 KiB, not beyond (unless a record is large), and keeps that between uses. Each of the
   * {@link Series#MAX_LOG_BATCH} batches is used in turn, so what one keeps counts fifteen times
   * (at 256 KiB, 2 MB in the side-by-side benchmark); a request larger than this reaches the
   * shared buffer in a few steps instead of one, each a short hold of its lock.
   */
  static final int FLUSH_BYTES = 60 << 10;
  private static final int KEPT_BYTES = 64 << 10;
  /** What a batch's buffer starts with, and keeps while the log is idle. */
  private static final int IDLE_BYTES = 16 << 10;

  /** Its number, as {@link Series#logBatch} refers to it: 1 to {@link Series#MAX_LOG_BATCH}. */
  final int slot;
  final RecordBuffer data = new RecordBuffer(IDLE_BYTES);
  private Series[] series = new Series[64];
  private int records;
  private long maxTimeMs = Long.MIN_VALUE;

  Gathered(int slot) {
    this.slot = slot;
  }

  boolean isEmpty() {
    return records == 0;
  }

  /** Frames the record in {@code body} about {@code s} at {@code timeMs} (Long.MIN_VALUE: none). */
  void add(Series s, long timeMs, RecordBuffer body, CRC32C crc) {
    WalRecords.frame(body, data, crc);
    if (records == series.length) {
      series = Arrays.copyOf(series, records * 2);
    }
    series[records++] = s;
    if (timeMs > maxTimeMs) {
      maxTimeMs = timeMs;
    }
  }

  int records() {
    return records;
  }

  Series series(int record) {
    return series[record];
  }

  long maxTimeMs() {
    return maxTimeMs;
  }

  boolean full() {
    return data.size >= FLUSH_BYTES;
  }

  void clear() {
    data.trimTo(KEPT_BYTES);
    Arrays.fill(series, 0, records, null);
    if (series.length > KEPT_BYTES / 16) { // more records than a kept buffer of the smallest holds
      series = new Series[64];
    }
    records = 0;
    maxTimeMs = Long.MIN_VALUE;
  }

  /** Gives back what requests grew, when it holds nothing: the log is idle. The caller holds its lock. */
  void trimIdle() {
    if (records == 0) {
      data.trimTo(IDLE_BYTES);
      if (series.length > 64) {
        series = new Series[64];
      }
    }
  }

  /** Bytes its buffers take. */
  long capacity() {
    return data.bytes.length + 4L * series.length;
  }
}
