package io.tocsin.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes the files of one snapshot into a directory: the series file, block by block, then the
 * meta file, each forced to disk. Ingest goes on meanwhile: each series is copied under its own
 * lock ({@link Series#image}) and encoded after the lock is released.
 */
final class SnapshotWriter {
  /** Large enough that writes and checksums run at disk speed, small enough to decode in parallel. */
  static final int BLOCK_BYTES = 1 << 20;

  private final WriterStateCodec codec;
  private final ByteArrayOutputStream stateBytes = new ByteArrayOutputStream();
  private final DataOutputStream stateOut = new DataOutputStream(stateBytes);
  private final BlockOutput block = new BlockOutput(BLOCK_BYTES + (BLOCK_BYTES >> 2));
  private long series;
  private long samples;
  private long blocks;
  private long bytes;

  SnapshotWriter(WriterStateCodec codec) {
    this.codec = codec;
  }

  /** Writes {@code store} as of now into {@code dir}, which exists and is empty. */
  SnapshotMeta write(SeriesStore store, Path dir, long walSegment, long createdMs) throws IOException {
    long cutoff = store.retentionCutoffMs();
    try (FileChannel channel = FileChannel.open(dir.resolve(SnapshotMeta.SERIES_FILE), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      try {
        store.forEachSeries(s -> {
          try {
            add(s, cutoff, channel);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      if (block.size() > 0) {
        flush(channel);
      }
      channel.force(true);
    }
    SnapshotMeta meta = new SnapshotMeta(walSegment, createdMs, series, samples, blocks, bytes, SnapshotMeta.FORMAT);
    try (FileChannel channel = FileChannel.open(dir.resolve(SnapshotMeta.FILE), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(meta.encode()));
      channel.force(true);
    }
    return meta;
  }

  private void add(Series s, long cutoff, FileChannel channel) throws IOException {
    Series.SeriesImage image = s.image(cutoff, this::encodeState);
    if (image == null) {
      return;
    }
    SeriesRecords.write(block, image);
    series++;
    long[] sealed = image.sealed();
    for (int at = 0; at < sealed.length; at += SealedChunks.length(sealed, at)) {
      samples += Chunk.count(sealed, at);
    }
    samples += image.head() == null ? 0 : Chunk.count(image.head().words());
    samples += image.histograms().size();
    if (block.size() >= BLOCK_BYTES) {
      flush(channel);
    }
  }

  private void flush(FileChannel channel) throws IOException {
    bytes += block.writeTo(channel);
    blocks++;
  }

  private byte[] encodeState(Object state) throws IOException {
    stateBytes.reset();
    codec.write(state, stateOut);
    stateOut.flush();
    return stateBytes.toByteArray();
  }
}
