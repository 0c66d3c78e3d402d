package io.tocsin.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The {@code meta} file of a snapshot, written after its series file: what the series file must
 * hold (so a truncated or swapped file is caught before anything is loaded) and the write-ahead
 * log position the snapshot was taken at. Fixed size, checksummed.
 *
 * @param walSegment the caller's log position: replay resumes from this segment
 * @param createdMs when the snapshot was started
 * @param series how many series records the series file holds
 * @param samples how many samples they hold, for the log
 * @param blocks how many blocks the series file holds
 * @param seriesFileBytes the series file's size
 * @param format the format of the series file: {@link #FORMAT} when written; 1 when chunks
 *     repeated their first time and held a 64-bit first value, 2 when they had a three-word
 *     header and coded every timestamp ({@link ChunkFormat2} reads both), 3 before chunks could be
 *     packed (a Tocsin that reads up to 3 would take a packed chunk for a damaged one: the version
 *     makes it refuse the file with a message that says why)
 */
record SnapshotMeta(long walSegment, long createdMs, long series, long samples, long blocks, long seriesFileBytes,
    int format) {
  static final String FILE = "meta";
  static final String SERIES_FILE = "series";
  private static final byte[] MAGIC = "TOCSNAP\n".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT = 4;
  /** The first format whose chunks have {@link Chunk}'s two-word header; {@link ChunkFormat2} reads older ones. */
  static final int TWO_WORD_CHUNKS = 3;
  private static final int SIZE = MAGIC.length + 4 + 6 * 8 + 4;

  byte[] encode() {
    ByteBuffer buffer = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    buffer.put(MAGIC).putInt(format).putLong(walSegment).putLong(createdMs).putLong(series).putLong(samples)
        .putLong(blocks).putLong(seriesFileBytes);
    buffer.putInt((int) crc(buffer.array()));
    return buffer.array();
  }

  static SnapshotMeta decode(byte[] bytes) throws IOException {
    if (bytes.length != SIZE || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IOException("meta is not a snapshot description (" + bytes.length + " bytes)");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (buffer.getInt(SIZE - 4) != (int) crc(bytes)) {
      throw new IOException("meta fails its checksum");
    }
    buffer.position(MAGIC.length);
    int format = buffer.getInt();
    if (format < 1 || format > FORMAT) {
      throw new IOException("meta has format version " + format + "; this Tocsin reads versions 1 to " + FORMAT);
    }
    return new SnapshotMeta(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong(),
        buffer.getLong(), format);
  }

  private static long crc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, SIZE - 4);
    return crc.getValue();
  }
}
