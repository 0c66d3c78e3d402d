package io.tocsin.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * Loads one snapshot directory into a store. The meta file and the series file's size are
 * checked before anything is loaded; then this thread reads blocks in large reads and verifies
 * their checksums, and a few threads decode them into series in parallel (a block refers to
 * nothing outside itself). Chunks are restored as they were written, without per-sample work
 * (those of formats 1 and 2 are coded again, {@link ChunkFormat2}).
 *
 * <p>A snapshot that does not verify throws an {@link IOException}; the store may then hold part
 * of it, and the caller empties it before trying another.
 */
final class SnapshotReader {
  /** No block is this large; a length beyond it is damage, not a reason to allocate. */
  private static final int MAX_BLOCK_BYTES = 1 << 30;

  private final SeriesStore store;
  private final WriterStateCodec codec;
  private final int threads;
  private final AtomicLong series = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  SnapshotReader(SeriesStore store, WriterStateCodec codec, int threads) {
    this.store = store;
    this.codec = codec;
    this.threads = threads;
  }

  /** What was loaded; the meta's series count is checked against what the blocks held. */
  record Result(SnapshotMeta meta, long series, long samples) {}

  Result read(Path dir) throws IOException {
    SnapshotMeta meta;
    try {
      meta = SnapshotMeta.decode(Files.readAllBytes(dir.resolve(SnapshotMeta.FILE)));
    } catch (NoSuchFileException e) {
      throw new IOException("its " + SnapshotMeta.FILE + " file is missing", e);
    }
    Path file = dir.resolve(SnapshotMeta.SERIES_FILE);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size != meta.seriesFileBytes()) {
        throw new IOException("its " + SnapshotMeta.SERIES_FILE + " file has " + size + " bytes, not "
            + meta.seriesFileBytes());
      }
      readBlocks(channel, meta);
    } catch (NoSuchFileException e) {
      throw new IOException("its " + SnapshotMeta.SERIES_FILE + " file is missing", e);
    }
    if (series.get() != meta.series()) {
      throw new IOException("it holds " + series.get() + " series, not " + meta.series());
    }
    try {
      store.restored();
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    return new Result(meta, series.get(), samples.get());
  }

  private void readBlocks(FileChannel channel, SnapshotMeta meta) throws IOException {
    ExecutorService decoders = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "snapshot-load");
      t.setDaemon(true);
      return t;
    });
    // Two buffers per decoder, reused: reading runs ahead of decoding only so far, and a load
    // allocates no garbage the size of the file (which would mean young collections copying the
    // series restored so far, again and again).
    BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(2 * threads);
    for (int i = 0; i < 2 * threads; i++) {
      buffers.add(new byte[0]);
    }
    ByteBuffer header = ByteBuffer.allocate(BlockOutput.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    long blocks = 0;
    long position = 0;
    try {
      while (position < meta.seriesFileBytes() && failure.get() == null) {
        header.clear();
        readFully(channel, header);
        int length = header.getInt(0);
        if (length <= 0 || length > MAX_BLOCK_BYTES || length > meta.seriesFileBytes() - position - 8) {
          throw new IOException("block " + blocks + " at byte " + position + " has an impossible length " + length);
        }
        byte[] free = takeUninterruptibly(buffers);
        byte[] payload = free.length >= length ? free : new byte[Math.max(length, SnapshotWriter.BLOCK_BYTES * 2)];
        readFully(channel, ByteBuffer.wrap(payload, 0, length));
        crc.reset();
        crc.update(payload, 0, length);
        if ((int) crc.getValue() != header.getInt(4)) {
          throw new IOException("block " + blocks + " at byte " + position + " fails its checksum");
        }
        long index = blocks;
        decoders.execute(() -> {
          try {
            decode(payload, length, index, meta.format());
          } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
          } finally {
            buffers.add(payload);
          }
        });
        blocks++;
        position += BlockOutput.HEADER_BYTES + length;
      }
    } finally {
      decoders.shutdown();
      awaitUninterruptibly(decoders);
    }
    Exception failed = failure.get();
    if (failed != null) {
      throw failed instanceof IOException io ? io : new IOException(failed.toString(), failed);
    }
    if (blocks != meta.blocks()) {
      throw new IOException("it holds " + blocks + " blocks, not " + meta.blocks());
    }
  }

  private void decode(byte[] payload, int length, long index, int format) throws IOException {
    BlockInput in = new BlockInput(payload, length);
    long cutoff = store.retentionCutoffMs();
    long[] sampleCount = {0};
    long count = 0;
    while (in.hasRemaining()) {
      Series restored;
      try {
        restored = SeriesRecords.read(in, format, store, cutoff, codec, sampleCount);
        store.restore(restored);
      } catch (IOException | RuntimeException e) {
        throw new IOException("block " + index + ", series " + count + ": " + e.getMessage(), e);
      }
      count++;
    }
    series.addAndGet(count);
    samples.addAndGet(sampleCount[0]);
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("the series file ends early");
      }
    }
  }

  private static byte[] takeUninterruptibly(BlockingQueue<byte[]> queue) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return queue.take();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void awaitUninterruptibly(ExecutorService pool) {
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
