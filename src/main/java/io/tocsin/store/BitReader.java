package io.tocsin.store;

/**
 * Reads a bit stream written most significant bit first. Bits are taken from the array 64 at a
 * time into an accumulator, so most reads are a shift and a mask.
 */
final class BitReader {
  private final long[] words;
  private int position; // of the next bit not yet in the accumulator
  private long bits; // upcoming bits, most significant first
  private int available; // how many of them are valid

  BitReader(long[] words, int position) {
    this.words = words;
    this.position = position;
  }

  /** Tops the accumulator up to 64 bits; past the end of the array, zeros. */
  private void refill() {
    int word = position >>> 6;
    int offset = position & 63;
    long next = word < words.length ? words[word] << offset : 0;
    if (offset > 0 && word + 1 < words.length) {
      next |= words[word + 1] >>> (64 - offset);
    }
    bits |= available == 0 ? next : next >>> available;
    position += 64 - available;
    available = 64;
  }

  /** The next {@code n} bits, 1 to 64, as an unsigned number. */
  long read(int n) {
    if (available < n) {
      refill();
    }
    long v;
    if (n == 64) {
      v = bits;
      bits = 0;
    } else {
      v = bits >>> (64 - n);
      bits <<= n;
    }
    available -= n;
    return v;
  }

  long readSigned(int n) {
    long v = read(n);
    return (v << (64 - n)) >> (64 - n);
  }

  /** The number of 1 bits before a 0, stopping after {@code max} ones; consumes them and the 0. */
  int readUnary(int max) {
    if (available < max + 1) {
      refill();
    }
    int ones = Math.min(Long.numberOfLeadingZeros(~bits), max);
    int used = ones < max ? ones + 1 : max;
    bits <<= used;
    available -= used;
    return ones;
  }

  long readTimestampDelta() {
    return switch (readUnary(4)) {
      case 0 -> 0;
      case 1 -> readSigned(14);
      case 2 -> readSigned(17);
      case 3 -> readSigned(20);
      default -> read(64);
    };
  }
}
