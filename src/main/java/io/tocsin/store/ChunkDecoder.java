package io.tocsin.store;

/**
 * Decodes a {@link Chunk}'s samples into arrays or into a {@link BucketFold}. Scans decode
 * hundreds of millions of samples, so each sample's fields are read from one 64-bit window of
 * the bit stream at its position (two array reads and two shifts) rather than by a reader call
 * per field or from a buffer refilled every few samples: the refills came at irregular points
 * (fields of 1 to 28 bits), and their mispredicted branches cost more than the reads. The common
 * sample, in the regular run of a decimal chunk, is a change of up to 24 bits: one window and a
 * branch or two, in a loop of its own that knows the times and which indexes are in the range
 * without comparing each sample's time (a third less CPU per sample than one loop for all).
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
    int position = (at + Chunk.HEADER_WORDS) * 64; // of the first value
    if (!decimal || regular < 2) {
      return decodeFrom(words, 0, count, regular, position, words[at], 0, 0, from, to, times, values, size, decimal,
          scale, fold);
    }
    // The regular run of a decimal chunk, the common case: the times follow from the first and
    // the interval, so the range's bounds are indexes found once, and only values are read.
    boolean integral = scale == 1; // skips a division per sample for the most common values
    int length = words.length;
    long first = words[at];
    long delta = 0;
    long mantissa = 0;
    int begin = 0; // the first index in the range, once the interval is known
    int end = regular; // the first index at or after its end
    for (int i = 0; i < end; i++) {
      long window = window(words, length, position);
      if (i == 1) { // the interval, as a change from 0
        int ones = Long.numberOfLeadingZeros(~window);
        if (ones == 0) { // '0': an interval of 0, which no writer makes
          position++;
        } else if (ones < 4) {
          int used = ones + 1;
          int payload = (int) (TIMESTAMP_PAYLOAD >>> (ones << 3)) & 0xff;
          delta = (window << used) >> (64 - payload);
          position += used + payload;
        } else { // '1111' and 64 bits
          delta = window(words, length, position + 4);
          position += 4 + 64;
        }
        window = window(words, length, position);
        begin = index(from, first, delta, regular);
        end = index(to, first, delta, regular);
        if (end <= 1) {
          return size;
        }
      }
      boolean special = false;
      long bits = 0;
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
      if (i >= begin && (i > 0 || first >= from)) {
        long time = first + i * delta;
        if (special) {
          double value = Double.longBitsToDouble(bits);
          if (fold == null) {
            times[size] = time;
            values[size] = value;
          } else {
            fold.add(time, value);
          }
        } else {
          double value = integral ? mantissa : mantissa / scale;
          if (fold == null) {
            times[size] = time;
            values[size] = value;
          } else {
            fold.addFinite(time, value);
          }
        }
        size++;
      }
    }
    if (end < regular || regular == count) {
      return size;
    }
    return decodeFrom(words, regular, count, regular, position, first + (regular - 1) * delta, delta, mantissa, from,
        to, times, values, size, true, scale, fold);
  }

  /**
   * Like {@link #decode} for a packed chunk ({@link Chunk#pack}): every sample one interval after
   * the one before, each change of the mantissa after the first in the same number of bits.
   * The i-th change is at a position known without reading the ones before, so the reads do not
   * wait on each other, and no branch depends on the values.
   */
  static int decodePacked(long[] words, int at, int count, long from, long to, long[] times, double[] values,
      int size, double scale, BucketFold fold) {
    int length = words.length;
    int width = Chunk.packedWidth(words, at);
    int position = (at + Chunk.HEADER_WORDS) * 64 + Chunk.PACKED_FIELD_BITS;
    long window = window(words, length, position);
    long mantissa; // the first, as a change from 0 in the variable coding, never escaped
    if (window >= 0) {
      mantissa = 0;
      position++;
    } else {
      int ones = Long.numberOfLeadingZeros(~window);
      if (ones < 4) {
        int used = ones + 1;
        int payload = (int) (DECIMAL_PAYLOAD >>> (ones << 3)) & 0xff;
        mantissa = (window << used) >> (64 - payload);
        position += used + payload;
      } else {
        mantissa = window(words, length, position + 5);
        position += 5 + 64;
      }
    }
    long first = words[at];
    long delta = 0;
    if (count > 1) { // the interval, as a change from 0
      window = window(words, length, position);
      int ones = Long.numberOfLeadingZeros(~window);
      if (ones == 0) {
        position++;
      } else if (ones < 4) {
        int used = ones + 1;
        int payload = (int) (TIMESTAMP_PAYLOAD >>> (ones << 3)) & 0xff;
        delta = (window << used) >> (64 - payload);
        position += used + payload;
      } else {
        delta = window(words, length, position + 4);
        position += 4 + 64;
      }
    }
    int begin = index(from, first, delta, count);
    int end = index(to, first, delta, count);
    if (begin == 0 && end > 0) { // the first sample
      size = emit(first, integralOr(mantissa, scale), times, values, size, fold);
      begin = 1;
    }
    if (width == 0) { // the value never changes
      double value = integralOr(mantissa, scale);
      for (int i = begin; i < end; i++) {
        size = emit(first + i * delta, value, times, values, size, fold);
      }
      return size;
    }
    int shift = 64 - width;
    for (int i = 1; i < begin; i++) { // the changes before the range
      mantissa += window(words, length, position) >> shift;
      position += width;
    }
    int i = Math.max(begin, 1);
    if (i >= end) {
      return size;
    }
    boolean integral = scale == 1; // skips a division per sample for the most common values
    if (fold != null) { // while both words of each window are in the array, the fold's loop
      int room = (length - 1) * 64 - position; // bits before the last word
      int run = Math.min(end - i, room > 0 ? (room - 1) / width + 1 : 0);
      mantissa = fold.addRun(words, position, width, mantissa, scale, first + i * delta, delta, run);
      position += run * width;
      size += run;
      i += run;
    }
    for (; i < end; i++) {
      mantissa += window(words, length, position) >> shift;
      position += width;
      double value = integral ? mantissa : mantissa / scale;
      size = emit(first + i * delta, value, times, values, size, fold);
    }
    return size;
  }

  private static double integralOr(long mantissa, double scale) {
    return scale == 1 ? mantissa : mantissa / scale;
  }

  /** Puts a finite sample into the arrays at {@code size}, or into {@code fold}; returns the new size. */
  private static int emit(long time, double value, long[] times, double[] values, int size, BucketFold fold) {
    if (fold == null) {
      times[size] = time;
      values[size] = value;
    } else {
      fold.addFinite(time, value);
    }
    return size + 1;
  }

  /**
   * The first index {@code i < regular} with {@code first + i * delta >= bound}, or {@code
   * regular}; an interval below 1 (no writer's) puts every sample at the first time.
   */
  private static int index(long bound, long first, long delta, int regular) {
    if (bound <= first) {
      return 0;
    }
    long span = bound - first; // negative: overflowed, beyond every sample
    if (delta <= 0 || span < 0) {
      return regular;
    }
    // The usual bound lies past the last sample: found without a division (tens of cycles).
    if (delta < 1L << 56 && span > (regular - 1) * delta) {
      return regular;
    }
    return (int) Math.min(regular, (span - 1) / delta + 1);
  }

  /**
   * Decodes samples {@code i0} to {@code count - 1} field by field from bit {@code position} on,
   * after a sample at {@code time} with the interval {@code delta} and (decimal) the mantissa
   * {@code mantissa}: the whole of an xor chunk, and what follows a decimal chunk's regular run.
   */
  private static int decodeFrom(long[] words, int i0, int count, int regular, int position, long time, long delta,
      long mantissa, long from, long to, long[] times, double[] values, int size, boolean decimal, double scale,
      BucketFold fold) {
    boolean integral = scale == 1;
    int length = words.length;
    long bits = 0; // xor: the value's bits; decimal: an escaped value's bits
    boolean special = false; // decimal: this value is an escaped NaN, infinity or stale marker
    int leading = 0; // xor: the zeros above and below the meaningful bits
    int trailing = 0;
    for (int i = i0; i < count; i++) {
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

  /** The bits of the variable coding's mantissa change at bit {@code position}, read from its prefix. */
  static int changeBitsAt(long[] words, int position) {
    return codeBitsAt(words, position, DECIMAL_PAYLOAD, 5 + 64);
  }

  /** The bits of the timestamp delta-of-delta code at bit {@code position}, read from its prefix. */
  static int timestampBitsAt(long[] words, int position) {
    return codeBitsAt(words, position, TIMESTAMP_PAYLOAD, 4 + 64);
  }

  /**
   * The bits of a code whose prefix of n ones (then a zero) is followed by the payload {@code
   * payloads} gives for n, 1 to 3; none for n = 0; {@code escaped} bits in all for more ones.
   */
  private static int codeBitsAt(long[] words, int position, long payloads, int escaped) {
    int ones = Long.numberOfLeadingZeros(~window(words, words.length, position));
    return ones == 0 ? 1 : ones < 4 ? ones + 1 + ((int) (payloads >>> (ones << 3)) & 0xff) : escaped;
  }

  /** The 64 bits of {@code words} from bit {@code position} on, zeros past {@code length} words. */
  static long window(long[] words, int length, int position) {
    int word = position >>> 6;
    int offset = position & 63;
    long high = word < length ? words[word] : 0;
    long low = word + 1 < length ? words[word + 1] : 0;
    return high << offset | (low >>> 1) >>> (63 - offset); // no branch for offset 0
  }
}
