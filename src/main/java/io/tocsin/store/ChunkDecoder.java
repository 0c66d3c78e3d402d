package io.tocsin.store;

/**
 * Decodes a {@link Chunk}'s samples into arrays or into a {@link BucketFold}. Scans decode
 * hundreds of millions of samples, so each sample's fields are read from one 64-bit window of
 * the bit stream at its position (two array reads and two shifts) rather than by a reader call
 * per field or from a buffer refilled every few samples: the refills came at irregular points
 * (fields of 1 to 28 bits), and their mispredicted branches cost more than the reads. The common
 * sample (a timestamp on the regular interval, then a decimal change of up to 24 bits) takes one
 * window and a branch or two; a sample of the regular run at a chunk's start has no timestamp
 * to read.
 */
final class ChunkDecoder {
  /** Payload bits of a timestamp delta-of-delta by the count of its leading 1 bits, 8 bits each (1 to 3). */
  private static final long TIMESTAMP_PAYLOAD = 14L << 8 | 17L << 16 | 20L << 24;
  /** Payload bits of a decimal mantissa change by the count of its leading 1 bits (1 to 3). */
  private static final long DECIMAL_PAYLOAD = 7L << 8 | 14L << 16 | 24L << 24;

  private ChunkDecoder() {}

  /**
   * Decodes the samples with {@code from <= time < to} of the chunk at {@code at}, which holds
   * {@code count >= 1} samples of which the first {@code regular} are one interval apart, into
   * the arrays from index {@code size} on; returns the new size. With a {@code fold}, the samples
   * go into its buckets instead (the range must lie in its grid) and the arrays are not used.
   */
  static int decode(long[] words, int at, int count, int regular, long from, long to, long[] times, double[] values,
      int size, boolean decimal, double scale, BucketFold fold) {
    boolean integral = scale == 1; // skips a division per sample for the most common values
    int length = words.length;
    int position = (at + Chunk.HEADER_WORDS) * 64; // of the next bit to read
    long time = words[at];
    long delta = 0;
    long bits = 0; // xor: the value's bits; decimal: an escaped value's bits
    long mantissa = 0; // decimal: the value times 10^exponent; the first is coded as a change from 0
    boolean special = false; // decimal: this value is an escaped NaN, infinity or stale marker
    int leading = 0; // xor: the zeros above and below the meaningful bits
    int trailing = 0;
    for (int i = 0; i < count; i++) {
      long window = window(words, length, position); // the next 64 bits, most significant first
      if (i == 1 || i >= regular && i > 0) { // a coded timestamp: the second one codes the interval
        if (window >= 0) { // the interval did not change: the value's bits follow in this window
          position++;
          window <<= 1;
        } else {
          int ones = Long.numberOfLeadingZeros(~window);
          if (ones < 4) {
            int used = ones + 1;
            int payload = (int) (TIMESTAMP_PAYLOAD >>> (ones << 3)) & 0xff;
            delta += (window << used) >> (64 - payload);
            position += used + payload;
          } else { // '1111' and 64 bits
            delta += window(words, length, position + 4);
            position += 4 + 64;
          }
          window = window(words, length, position);
        }
      }
      if (i > 0) {
        time += delta;
      }
      if (time >= to) {
        return size;
      }
      if (i == 0 && !decimal) {
        bits = window;
        mantissa = bits;
        position += 64;
      } else if (decimal) {
        special = false;
        if (window >= 0) { // the same mantissa
          position++;
        } else {
          int ones = Long.numberOfLeadingZeros(~window);
          if (ones < 4) {
            int used = ones + 1;
            int payload = (int) (DECIMAL_PAYLOAD >>> (ones << 3)) & 0xff;
            mantissa += (window << used) >> (64 - payload);
            position += used + payload;
          } else { // '11110' and a 64-bit change, or '11111' and an escaped value's bits
            long raw = window(words, length, position + 5);
            if (ones == 4) {
              mantissa += raw;
            } else {
              special = true;
              bits = raw;
            }
            position += 5 + 64;
          }
        }
      } else if (window < 0) { // xor, '1': the value changed
        if ((window << 1) < 0) { // '11': new leading and trailing zero counts
          leading = (int) (window >>> 57) & 31;
          int significant = (int) (window >>> 51) & 63;
          trailing = 64 - leading - (significant == 0 ? 64 : significant);
          position += 13;
        } else {
          position += 2;
        }
        int meaningful = 64 - leading - trailing; // 1 to 64
        bits ^= (window(words, length, position) >>> (64 - meaningful)) << trailing;
        position += meaningful;
      } else { // xor, '0': the same value
        position++;
      }
      if (time >= from) {
        double value = !decimal || special ? Double.longBitsToDouble(bits) : integral ? mantissa : mantissa / scale;
        if (fold == null) {
          times[size] = time;
          values[size] = value;
        } else {
          fold.add(time, value);
        }
        size++;
      }
    }
    return size;
  }

  /** The 64 bits from bit {@code position} on; zeros past the end of the array. */
  private static long window(long[] words, int length, int position) {
    int word = position >>> 6;
    int offset = position & 63;
    long high = word < length ? words[word] : 0;
    long low = word + 1 < length ? words[word + 1] : 0;
    return high << offset | (low >>> 1) >>> (63 - offset); // no branch for offset 0
  }
}
