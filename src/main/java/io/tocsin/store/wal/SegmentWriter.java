package io.tocsin.store.wal;

import io.tocsin.store.wal.WalSettings.Fsync;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The file side of the log, used by its writer thread only: the open segment, writing a batch
 * part by part (moving to the next segment file where a part says so), forcing to disk. A write
 * that fails halfway is truncated away, so that the retry appends to a file that ends with a
 * whole record.
 */
final class SegmentWriter {
  private final Path dir;
  private final Fsync fsync;
  private final WalMetrics metrics;
  private FileChannel channel;
  private long segment;
  private long size;
  private long lastSyncNanos = System.nanoTime();

  private SegmentWriter(Path dir, Fsync fsync, WalMetrics metrics) {
    this.dir = dir;
    this.fsync = fsync;
    this.metrics = metrics;
  }

  /** Creates segment {@code first} now, so that a directory that cannot be written fails at once. */
  static SegmentWriter open(Path dir, long first, Fsync fsync, WalMetrics metrics) throws IOException {
    SegmentWriter writer = new SegmentWriter(dir, fsync, metrics);
    writer.rotate(first);
    if (fsync != Fsync.OFF) {
      writer.force();
    }
    return writer;
  }

  /** The segment being written. */
  long segment() {
    return segment;
  }

  long nanosSinceSync() {
    return System.nanoTime() - lastSyncNanos;
  }

  /** Writes what is left of {@code batch}, advancing its {@code part} and {@code done} as parts complete. */
  void write(Batch batch) throws IOException {
    for (int p = batch.part; p < batch.parts; p++) {
      batch.part = p;
      if (batch.partSegment[p] != segment) {
        rotate(batch.partSegment[p]);
      }
      int end = batch.partEnd(p);
      int from = Math.max(batch.partStart[p], batch.done);
      ByteBuffer bytes = ByteBuffer.wrap(batch.data.bytes, from, end - from);
      long sizeBefore = size;
      try {
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      } catch (IOException e) {
        try {
          channel.truncate(sizeBefore);
          channel.position(sizeBefore);
        } catch (IOException ignored) {
          // The retry truncates again before writing.
        }
        throw e;
      }
      size += end - from;
      batch.done = end;
      metrics.bytesWritten.inc(end - from);
    }
  }

  /** Moves to a new segment file; the one before is forced first (unless fsync is off). */
  private void rotate(long number) throws IOException {
    if (channel != null) {
      if (fsync != Fsync.OFF) {
        force();
      }
      channel.close();
      channel = null;
    }
    channel = Segments.create(dir, number);
    segment = number;
    size = Segments.HEADER.length;
    if (fsync != Fsync.OFF) {
      Segments.syncDirectory(dir);
    }
  }

  void force() throws IOException {
    long start = System.nanoTime();
    channel.force(false);
    lastSyncNanos = System.nanoTime();
    metrics.fsyncSeconds.observe((lastSyncNanos - start) / 1e9);
  }

  void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
