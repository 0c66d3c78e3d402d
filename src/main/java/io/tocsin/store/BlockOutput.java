package io.tocsin.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Builds one block of a snapshot file in memory and writes it framed as {@code [payload length]
 * [CRC32C of the payload][payload]}, so that a reader verifies each block before using it.
 *
 * <p>Strings are written once per block and referred to by number afterwards: label keys, metric
 * names and host names repeat across the series of a block. Keeping the table per block keeps
 * blocks independent of each other, so a reader can decode them in parallel.
 */
final class BlockOutput {
  static final int HEADER_BYTES = 8;

  private ByteBuffer buffer;
  private final Map<String, Integer> strings = new HashMap<>();
  private final CRC32C crc = new CRC32C();

  BlockOutput(int capacity) {
    buffer = ByteBuffer.allocate(HEADER_BYTES + capacity).order(ByteOrder.LITTLE_ENDIAN);
    buffer.position(HEADER_BYTES);
  }

  /** Bytes of payload so far. */
  int size() {
    return buffer.position() - HEADER_BYTES;
  }

  private void ensure(int bytes) {
    if (buffer.remaining() < bytes) {
      int capacity = Math.max(buffer.position() + bytes, buffer.capacity() + (buffer.capacity() >> 1));
      ByteBuffer grown = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
      buffer.flip();
      grown.put(buffer);
      buffer = grown;
    }
  }

  void putByte(int b) {
    ensure(1);
    buffer.put((byte) b);
  }

  /** An unsigned number in 7-bit groups, low first: ids, counts and lengths are mostly small. */
  void putVarLong(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      buffer.put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    buffer.put((byte) value);
  }

  void putLong(long value) {
    ensure(8);
    buffer.putLong(value);
  }

  void putDouble(double value) {
    putLong(Double.doubleToRawLongBits(value));
  }

  /** The words of a chunk, length first, copied in bulk. */
  void putWords(long[] words) {
    putWords(words, 0, words.length);
  }

  /** Like {@link #putWords(long[])} for {@code length} words of {@code words} from {@code offset}. */
  void putWords(long[] words, int offset, int length) {
    putVarLong(length);
    ensure(8 * length);
    buffer.asLongBuffer().put(words, offset, length);
    buffer.position(buffer.position() + 8 * length);
  }

  void putDoubles(double[] values) {
    putVarLong(values.length);
    ensure(8 * values.length);
    buffer.asDoubleBuffer().put(values);
    buffer.position(buffer.position() + 8 * values.length);
  }

  /** Null as 0, else the length plus one and the bytes. */
  void putBytes(byte[] bytes) {
    if (bytes == null) {
      putVarLong(0);
      return;
    }
    putVarLong(bytes.length + 1L);
    ensure(bytes.length);
    buffer.put(bytes);
  }

  /** 0 and the string the first time in this block, then its number plus one. */
  void putString(String s) {
    Integer known = strings.get(s);
    if (known != null) {
      putVarLong(known + 1L);
      return;
    }
    strings.put(s, strings.size());
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    putVarLong(0);
    putVarLong(utf8.length);
    ensure(utf8.length);
    buffer.put(utf8);
  }

  /** Writes the framed block to {@code channel}, returns its size in bytes, and starts a new block. */
  long writeTo(FileChannel channel) throws IOException {
    int end = buffer.position();
    crc.reset();
    buffer.position(HEADER_BYTES);
    buffer.limit(end);
    crc.update(buffer);
    buffer.putInt(0, end - HEADER_BYTES);
    buffer.putInt(4, (int) crc.getValue());
    buffer.position(0);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
    buffer.position(HEADER_BYTES);
    strings.clear();
    return end;
  }
}
