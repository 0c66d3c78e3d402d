package io.tocsin.store;

/**
 * The bit-level codes a {@link Chunk}'s stream is made of, written by a head chunk as it grows
 * and by {@link Chunk#pack} when it recodes a chunk: a mantissa change of the variable coding, a
 * timestamp's delta-of-delta, and a packed chunk's fixed-width change. Each code has a method
 * that counts its bits, so that a writer can check its room before it writes.
 */
final class ChunkBits {
  private ChunkBits() {}

  /** The bits a packed chunk takes per change {@code d}: 0 for none, else its two's complement width. */
  static int changeWidth(long d) {
    return d == 0 ? 0 : 65 - Long.numberOfLeadingZeros(d ^ (d >> 63));
  }

  /** The bits the variable coding takes for a finite mantissa change {@code d}. */
  static int changeBits(long d) {
    if (d == 0) {
      return 1;
    } else if (d >= -(1 << 6) && d < (1 << 6)) {
      return 9;
    } else if (d >= -(1 << 13) && d < (1 << 13)) {
      return 17;
    } else if (d >= -(1 << 23) && d < (1 << 23)) {
      return 28;
    }
    return 69;
  }

  /** Writes the variable coding of a finite mantissa change at bit {@code position}; returns the bits taken. */
  static int putChange(long[] words, int position, long d) {
    if (d == 0) {
      return 1; // '0': the words are zeroed
    } else if (d >= -(1 << 6) && d < (1 << 6)) {
      put(words, position, 0b10L << 7 | d & 0x7f, 9);
      return 9;
    } else if (d >= -(1 << 13) && d < (1 << 13)) {
      put(words, position, 0b110L << 14 | d & 0x3fff, 17);
      return 17;
    } else if (d >= -(1 << 23) && d < (1 << 23)) {
      put(words, position, 0b1110L << 24 | d & 0xff_ffff, 28);
      return 28;
    }
    put(words, position, 0b11110, 5);
    put(words, position + 5, d, 64);
    return 69;
  }

  /** The bits {@link #putTimestampDelta} takes for {@code dod}. */
  static int timestampDeltaBits(long dod) {
    if (dod == 0) {
      return 1;
    } else if (dod >= -(1 << 13) && dod < (1 << 13)) {
      return 16;
    } else if (dod >= -(1 << 16) && dod < (1 << 16)) {
      return 20;
    } else if (dod >= -(1 << 19) && dod < (1 << 19)) {
      return 24;
    }
    return 68;
  }

  /** Writes a timestamp's delta-of-delta at bit {@code position}; returns the bits taken. */
  static int putTimestampDelta(long[] words, int position, long dod) {
    if (dod == 0) {
      return 1;
    } else if (dod >= -(1 << 13) && dod < (1 << 13)) {
      put(words, position, 0b10L << 14 | dod & 0x3fff, 16);
      return 16;
    } else if (dod >= -(1 << 16) && dod < (1 << 16)) {
      put(words, position, 0b110L << 17 | dod & 0x1_ffff, 20);
      return 20;
    } else if (dod >= -(1 << 19) && dod < (1 << 19)) {
      put(words, position, 0b1110L << 20 | dod & 0xf_ffff, 24);
      return 24;
    }
    put(words, position, 0b1111, 4);
    put(words, position + 4, dod, 64);
    return 68;
  }

  /** ORs the low {@code n} bits of {@code value}, 1 to 64, into zeroed {@code words} at bit {@code position}. */
  static void put(long[] words, int position, long value, int n) {
    long v = n == 64 ? value : value & ((1L << n) - 1);
    int word = position >>> 6;
    int free = 64 - (position & 63);
    if (n <= free) {
      words[word] |= v << (free - n);
    } else {
      words[word] |= v >>> (n - free);
      words[word + 1] |= v << (64 - (n - free));
    }
  }
}
