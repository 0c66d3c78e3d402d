package io.tocsin.store;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one verified block that {@link BlockOutput} wrote. A block whose CRC matched can still be
 * inconsistent if the writer had a defect; every read is bounded by the block, and what does not
 * add up is an {@link IOException}, never a wrong store.
 */
final class BlockInput {
  private final ByteBuffer buffer;
  private final List<String> strings = new ArrayList<>();
  /** {@link #workWords}: one array for the records of the block, not one per record. */
  private long[] work = new long[64];

  /** The block in the first {@code length} bytes of {@code payload}. */
  BlockInput(byte[] payload, int length) {
    this.buffer = ByteBuffer.wrap(payload, 0, length).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  boolean hasRemaining() {
    return buffer.hasRemaining();
  }

  int getByte() throws IOException {
    need(1);
    return buffer.get() & 0xFF;
  }

  long getVarLong() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = getByte();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("a number runs past 64 bits");
  }

  /** A count or length that must fit in the block: at least {@code unitBytes} per unit. */
  int getLength(int unitBytes) throws IOException {
    long n = getVarLong();
    if (n > buffer.remaining() / Math.max(1, unitBytes)) {
      throw new IOException("a length of " + n + " runs past the end of its block");
    }
    return (int) n;
  }

  long getLong() throws IOException {
    need(8);
    return buffer.getLong();
  }

  double getDouble() throws IOException {
    return Double.longBitsToDouble(getLong());
  }

  long[] getWords() throws IOException {
    long[] words = new long[getWordCount()];
    getWords(words, 0, words.length);
    return words;
  }

  /** How many words {@link BlockOutput#putWords} wrote next; read them with {@link #getWords(long[], int, int)}. */
  int getWordCount() throws IOException {
    return getLength(8);
  }

  /**
   * The next {@code n} words, into {@code into} from {@code at}. One at a time: a bulk read
   * through {@code asLongBuffer()} made a view object per call, a million of them per snapshot.
   */
  void getWords(long[] into, int at, int n) {
    for (int i = 0; i < n; i++) {
      into[at + i] = buffer.getLong();
    }
  }

  /**
   * An array of at least {@code words} words that holds what the last one returned held: for a
   * record read in parts before it is kept, such as a series' sealed chunks, which are joined
   * into one array in the end ({@link SealedChunks}), so that reading them makes no garbage.
   */
  long[] workWords(int words) {
    if (work.length < words) {
      work = Arrays.copyOf(work, Math.max(words, 2 * work.length));
    }
    return work;
  }

  double[] getDoubles() throws IOException {
    double[] values = new double[getLength(8)];
    buffer.asDoubleBuffer().get(values);
    buffer.position(buffer.position() + 8 * values.length);
    return values;
  }

  /** What {@link BlockOutput#putBytes} wrote, as a slice of the block, or null. */
  ByteBuffer getBytes() throws IOException {
    long n = getVarLong();
    if (n == 0) {
      return null;
    }
    if (n - 1 > buffer.remaining()) {
      throw new IOException("a length of " + (n - 1) + " runs past the end of its block");
    }
    ByteBuffer slice = buffer.slice(buffer.position(), (int) (n - 1));
    buffer.position(buffer.position() + (int) (n - 1));
    return slice;
  }

  /**
   * A string of the block, its canonical copy ({@link LabelStrings}): live series hold canonical
   * label strings too, so restored and new series share them.
   */
  String getString() throws IOException {
    return readString(true);
  }

  /**
   * A label value of the block, not made canonical: the store looks it up as it makes the series
   * ({@link Family#restored}), so that the value a restored series holds alone is kept as it
   * was before the restart (bytes, or packed in the series).
   */
  String getLabelValue() throws IOException {
    return readString(false);
  }

  /** A string of the block: a reference to one read before, or a new one, then remembered. */
  private String readString(boolean canonical) throws IOException {
    long ref = getVarLong();
    if (ref > 0) {
      if (ref > strings.size()) {
        throw new IOException("string " + ref + " is not defined in its block");
      }
      return strings.get((int) (ref - 1));
    }
    int length = getLength(1);
    String s = new String(buffer.array(), buffer.position(), length, StandardCharsets.UTF_8);
    if (canonical) {
      s = LabelStrings.canonical(s);
    }
    buffer.position(buffer.position() + length);
    strings.add(s);
    return s;
  }

  private void need(int bytes) throws IOException {
    if (buffer.remaining() < bytes) {
      throw new IOException("a record runs past the end of its block", new BufferUnderflowException());
    }
  }
}
