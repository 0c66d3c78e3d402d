package io.tocsin.store;

/**
 * Decodes a {@link Chunk}'s samples into arrays. Scans decode hundreds of millions of samples, so
 * the bit stream is read through a 64-bit buffer held in local variables, topped up only when it
 * holds fewer bits than the next field may take (every few samples), rather than by a reader call
 * per field: the common sample (a timestamp on the regular interval, a decimal change of up to 24
 * bits) then costs a few shifts and a branch or two per field. What it reads
 * is what {@link BitReader} reads field by field; {@link ChunkFormat1} still uses that one.
 */
final class ChunkDecoder {
  /** Enough for the longest common timestamp: a 4 + 20 bit delta-of-delta. */
  private static final int TIMESTAMP_BITS = 24;
  /** Enough for the longest common decimal value: a 4 + 24 bit change. */
  private static final int DECIMAL_BITS = 28;
  /** Enough for an xor value's control bits and zero counts. */
  private static final int XOR_CONTROL_BITS = 13;
  /** Payload bits of a timestamp delta-of-delta by the count of its leading 1 bits, 8 bits each (1 to 3). */
  private static final long TIMESTAMP_PAYLOAD = 14L << 8 | 17L << 16 | 20L << 24;
  /** Payload bits of a decimal mantissa change by the count of its leading 1 bits (1 to 3). */
  private static final long DECIMAL_PAYLOAD = 7L << 8 | 14L << 16 | 24L << 24;

  private ChunkDecoder() {}

  /**
   * Decodes the samples with {@code from <= time < to} of the chunk at {@code at}, which holds
   * {@code count >= 1} samples, into the arrays from index {@code size} on; returns the new size.
   * {@code rawFirstValue}: the first value is 64 bits as it is (format 1) rather than coded.
   * With a {@code fold}, the samples go into its buckets instead (the range must lie in its grid)
   * and the arrays are not used.
   */
  static int decode(long[] words, int at, int count, long from, long to, long[] times, double[] values, int size,
      boolean rawFirstValue, boolean decimal, double scale, BucketFold fold) {
    boolean integral = scale == 1; // skips a division per sample for the most common values
    int length = words.length;
    int position = (at + Chunk.HEADER_WORDS) * 64; // of the next bit not yet in the buffer
    long buffer = 0; // upcoming bits, most significant first; the bits below them are 0
    int available = 0;
    long time = words[at];
    long delta = 0;
    long bits = 0; // xor: the value's bits; decimal: an escaped value's bits
    long mantissa = 0; // decimal: the value times 10^exponent; the first is coded as a change from 0
    boolean special = false; // decimal: this value is an escaped NaN, infinity or stale marker
    int leading = 0; // xor: the zeros above and below the meaningful bits
    int trailing = 0;
    for (int i = 0; i < count; i++) {
      if (available < TIMESTAMP_BITS) {
        buffer |= next64(words, length, position) >>> available;
        position += 64 - available;
        available = 64;
      }
      if (i > 0) {
        if (buffer >= 0) { // the interval did not change
          buffer <<= 1;
          available--;
        } else {
          int ones = Long.numberOfLeadingZeros(~buffer);
          if (ones < 4) {
            int used = ones + 1;
            int payload = (int) (TIMESTAMP_PAYLOAD >>> (ones << 3)) & 0xff;
            delta += (buffer << used) >> (64 - payload);
            buffer <<= used + payload;
            available -= used + payload;
          } else { // '1111' and 64 bits
            position += 4 - available; // re-read from after the prefix
            delta += next64(words, length, position);
            position += 64;
            buffer = next64(words, length, position);
            position += 64;
            available = 64;
          }
        }
        time += delta;
      }
      if (time >= to) {
        return size;
      }
      if (i == 0 && (!decimal || rawFirstValue)) {
        position -= available;
        bits = next64(words, length, position);
        mantissa = bits;
        position += 64;
        buffer = next64(words, length, position);
        position += 64;
        available = 64;
      } else if (decimal) {
        special = false;
        if (available < DECIMAL_BITS) {
          buffer |= next64(words, length, position) >>> available;
          position += 64 - available;
          available = 64;
        }
        if (buffer >= 0) { // the same mantissa
          buffer <<= 1;
          available--;
        } else {
          int ones = Long.numberOfLeadingZeros(~buffer);
          if (ones < 4) {
            int used = ones + 1;
            int payload = (int) (DECIMAL_PAYLOAD >>> (ones << 3)) & 0xff;
            mantissa += (buffer << used) >> (64 - payload);
            buffer <<= used + payload;
            available -= used + payload;
          } else { // '11110' and a 64-bit change, or '11111' and an escaped value's bits
            position += 5 - available;
            long raw = next64(words, length, position);
            if (ones == 4) {
              mantissa += raw;
            } else {
              special = true;
              bits = raw;
            }
            position += 64;
            buffer = next64(words, length, position);
            position += 64;
            available = 64;
          }
        }
      } else {
        if (available < XOR_CONTROL_BITS) {
          buffer |= next64(words, length, position) >>> available;
          position += 64 - available;
          available = 64;
        }
        if (buffer < 0) { // '1': the value changed
          if ((buffer << 1) < 0) { // '11': new leading and trailing zero counts
            leading = (int) (buffer >>> 57) & 31;
            int significant = (int) (buffer >>> 51) & 63;
            trailing = 64 - leading - (significant == 0 ? 64 : significant);
            buffer <<= 13;
            available -= 13;
          } else {
            buffer <<= 2;
            available -= 2;
          }
          int meaningful = 64 - leading - trailing;
          if (meaningful == 64) {
            position -= available;
            bits ^= next64(words, length, position);
            position += 64;
            buffer = next64(words, length, position);
            position += 64;
            available = 64;
          } else {
            if (available < meaningful) {
              buffer |= next64(words, length, position) >>> available;
              position += 64 - available;
              available = 64;
            }
            bits ^= (buffer >>> (64 - meaningful)) << trailing;
            buffer <<= meaningful;
            available -= meaningful;
          }
        } else {
          buffer <<= 1;
          available--;
        }
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
  private static long next64(long[] words, int length, int position) {
    int word = position >>> 6;
    int offset = position & 63;
    long high = word < length ? words[word] : 0;
    if (offset == 0) {
      return high;
    }
    long low = word + 1 < length ? words[word + 1] : 0;
    return high << offset | low >>> (64 - offset);
  }
}
