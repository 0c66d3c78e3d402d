package io.tocsin.store;

import java.util.Arrays;

/**
 * A run of (timestamp, value) samples compressed as in Facebook's Gorilla paper: timestamps as
 * delta-of-delta, values as XOR with the previous value. Regular 15 s samples of slowly changing
 * values cost a bit or two per timestamp and a few bits per value, which is what keeps an hour of
 * data per series well under a kilobyte.
 *
 * <p>Not thread-safe: the owning {@link Series} guards it. A chunk is appended to while it is the
 * series' head and is {@link #seal() sealed} (trimmed to its exact size) when the next one starts.
 */
final class XorChunk {
  private static final int INITIAL_WORDS = 4;

  private long[] words = new long[INITIAL_WORDS];
  private int bitLength;
  private int count;
  private long firstTime;
  private long lastTime;
  private long lastDelta;
  private long lastValueBits;
  private int lastLeading = -1;
  private int lastTrailing;

  int count() {
    return count;
  }

  long firstTime() {
    return firstTime;
  }

  long lastTime() {
    return lastTime;
  }

  double lastValue() {
    return Double.longBitsToDouble(lastValueBits);
  }

  /** Bytes held on the heap by this chunk's bit stream. */
  long retainedBytes() {
    return 16L + 8L * words.length;
  }

  /** Appends a sample; the caller guarantees {@code time > lastTime()} for all but the first. */
  void append(long time, double value) {
    long bits = Double.doubleToRawLongBits(value);
    if (count == 0) {
      firstTime = time;
      writeBits(time, 64);
      writeBits(bits, 64);
    } else {
      long delta = time - lastTime;
      writeTimestampDelta(delta - lastDelta);
      lastDelta = delta;
      writeValue(bits);
    }
    lastTime = time;
    lastValueBits = bits;
    count++;
  }

  /** Releases the growth slack once no more samples will be appended. */
  void seal() {
    int needed = (bitLength + 63) >>> 6;
    if (needed < words.length) {
      words = Arrays.copyOf(words, Math.max(needed, 1));
    }
  }

  /** Calls {@code visitor} for every sample with {@code from <= time < to}, in time order. */
  void forEach(long from, long to, SampleVisitor visitor) {
    if (count == 0 || lastTime < from || firstTime >= to) {
      return;
    }
    Reader reader = new Reader();
    for (int i = 0; i < count; i++) {
      reader.next(i);
      if (reader.time >= to) {
        return;
      }
      if (reader.time >= from) {
        visitor.sample(reader.time, Double.longBitsToDouble(reader.valueBits));
      }
    }
  }

  private void writeTimestampDelta(long dod) {
    if (dod == 0) {
      writeBits(0, 1);
    } else if (dod >= -(1 << 13) && dod < (1 << 13)) {
      writeBits(0b10, 2);
      writeBits(dod, 14);
    } else if (dod >= -(1 << 16) && dod < (1 << 16)) {
      writeBits(0b110, 3);
      writeBits(dod, 17);
    } else if (dod >= -(1 << 19) && dod < (1 << 19)) {
      writeBits(0b1110, 4);
      writeBits(dod, 20);
    } else {
      writeBits(0b1111, 4);
      writeBits(dod, 64);
    }
  }

  private void writeValue(long bits) {
    long xor = bits ^ lastValueBits;
    if (xor == 0) {
      writeBits(0, 1);
      return;
    }
    int leading = Math.min(Long.numberOfLeadingZeros(xor), 31);
    int trailing = Long.numberOfTrailingZeros(xor);
    if (lastLeading >= 0 && leading >= lastLeading && trailing >= lastTrailing) {
      // The meaningful bits fit in the previous window: reuse it.
      writeBits(0b10, 2);
      writeBits(xor >>> lastTrailing, 64 - lastLeading - lastTrailing);
    } else {
      int significant = 64 - leading - trailing;
      writeBits(0b11, 2);
      writeBits(leading, 5);
      writeBits(significant & 63, 6); // 64 significant bits are written as 0
      writeBits(xor >>> trailing, significant);
      lastLeading = leading;
      lastTrailing = trailing;
    }
  }

  private void writeBits(long value, int n) {
    if (n == 0) {
      return;
    }
    int needed = (bitLength + n + 63) >>> 6;
    if (needed > words.length) {
      words = Arrays.copyOf(words, Math.max(needed, words.length + (words.length >> 1) + 1));
    }
    long v = n == 64 ? value : value & ((1L << n) - 1);
    int word = bitLength >>> 6;
    int used = bitLength & 63;
    int free = 64 - used;
    if (n <= free) {
      words[word] |= v << (free - n);
    } else {
      words[word] |= v >>> (n - free);
      words[word + 1] |= v << (64 - (n - free));
    }
    bitLength += n;
  }

  /** Sequential decoder; mirrors the writer. */
  private final class Reader {
    private int position;
    long time;
    long valueBits;
    private long delta;
    private int leading;
    private int trailing;

    void next(int index) {
      if (index == 0) {
        time = readBits(64);
        valueBits = readBits(64);
        return;
      }
      delta += readTimestampDelta();
      time += delta;
      readValue();
    }

    private long readTimestampDelta() {
      if (readBits(1) == 0) {
        return 0;
      }
      if (readBits(1) == 0) {
        return signExtend(readBits(14), 14);
      }
      if (readBits(1) == 0) {
        return signExtend(readBits(17), 17);
      }
      if (readBits(1) == 0) {
        return signExtend(readBits(20), 20);
      }
      return readBits(64);
    }

    private void readValue() {
      if (readBits(1) == 0) {
        return;
      }
      if (readBits(1) == 1) {
        leading = (int) readBits(5);
        int significant = (int) readBits(6);
        if (significant == 0) {
          significant = 64;
        }
        trailing = 64 - leading - significant;
      }
      int significant = 64 - leading - trailing;
      valueBits ^= readBits(significant) << trailing;
    }

    private long readBits(int n) {
      if (n == 0) {
        return 0;
      }
      int word = position >>> 6;
      int used = position & 63;
      int available = 64 - used;
      long result;
      if (n <= available) {
        result = words[word] >>> (available - n);
      } else {
        result = (words[word] << (n - available)) | (words[word + 1] >>> (64 - (n - available)));
      }
      position += n;
      return n == 64 ? result : result & ((1L << n) - 1);
    }

    private long signExtend(long v, int bits) {
      return (v << (64 - bits)) >> (64 - bits);
    }
  }
}
