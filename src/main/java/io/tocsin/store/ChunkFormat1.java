package io.tocsin.store;

import java.util.Arrays;

/**
 * Chunks of snapshot format 1 (main until issue 14) as {@link Chunk} keeps them now. Format 1
 * repeated the first time after the header, in a word of its own, and wrote a decimal chunk's
 * first mantissa in the 64 bits after it. Both are replaced by the first value as a chunk codes it
 * now, and the rest of the stream is moved up bit for bit: the samples are not decoded, and the
 * head's coding state (which the later samples' codes depend on) stays as it was.
 */
final class ChunkFormat1 {
  /** Where the header's word 2 holds the coding and the exponent. */
  private static final long CODING_BITS = 0xffffL << 32;
  /** Header, repeated first time, first value: where the later samples' codes begin. */
  private static final int REST = (Chunk.HEADER_WORDS + 2) * 64;

  private ChunkFormat1() {}

  /**
   * A sealed chunk of format 1 as this format keeps it. Its exact length in bits is unknown (it
   * was trimmed to whole words), so the padding of its last word moves along: now and then a word
   * of it more, which decoding never reads.
   *
   * @throws IllegalArgumentException when the chunk is not one format 1 could hold
   */
  static long[] sealed(long[] chunk) {
    return convert(chunk, chunk.length * 64).words();
  }

  /** Like {@link #sealed} for a head chunk, with its coding state. */
  static Chunk.HeadImage head(Chunk.HeadImage image) {
    Chunk.HeadImage converted = convert(image.words(), image.bitLength());
    return new Chunk.HeadImage(converted.words(), converted.bitLength(), image.lastDelta(), image.lastMantissa(),
        image.lastValueBits(), image.lastLeading(), image.lastTrailing());
  }

  /** The chunk's words and length in bits in this format; the coding state in it is not used. */
  private static Chunk.HeadImage convert(long[] chunk, int bitLength) {
    if (chunk.length < Chunk.HEADER_WORDS + 2 || chunk[Chunk.HEADER_WORDS] != chunk[0] || Chunk.count(chunk) < 1
        || bitLength < REST || bitLength > chunk.length * 64) {
      throw new IllegalArgumentException("chunk of format 1 without its first sample");
    }
    // The first value coded as now: a writer given the first sample writes it after the header.
    long[] dropped = new long[Chunk.HEADER_WORDS + 1];
    System.arraycopy(chunk, 0, dropped, 0, Chunk.HEADER_WORDS);
    dropped[Chunk.HEADER_WORDS] = chunk[Chunk.HEADER_WORDS + 1];
    dropped[2] = (dropped[2] & CODING_BITS) | 1; // one sample, no length field
    long[] times = new long[1];
    double[] values = new double[1];
    Chunk.decode(dropped, 0, Long.MIN_VALUE, Long.MAX_VALUE, times, values, 0, true);
    Chunk.Writer writer = new Chunk.Writer(values[0]);
    writer.append(chunk[0], values[0]);
    Chunk.HeadImage first = writer.image();
    if ((first.words()[2] & CODING_BITS) != (chunk[2] & CODING_BITS)) {
      throw new IllegalArgumentException("chunk of format 1 has a coding its first value would not get");
    }
    int prefix = first.bitLength();
    int total = prefix + bitLength - REST;
    long[] words = Arrays.copyOf(first.words(), (total + 63) >>> 6);
    System.arraycopy(chunk, 0, words, 0, Chunk.HEADER_WORDS); // the header as it was: times, count, coding
    BitReader rest = new BitReader(chunk, REST);
    for (int at = prefix; at < total; at += 64) {
      int n = Math.min(64, total - at);
      put(words, at, rest.read(n), n);
    }
    return new Chunk.HeadImage(words, total, 0, 0, 0, -1, 0);
  }

  /** Writes the {@code n} low bits of {@code value} at bit {@code at}, most significant first. */
  private static void put(long[] words, int at, long value, int n) {
    long v = n == 64 ? value : value & ((1L << n) - 1);
    int word = at >>> 6;
    int free = 64 - (at & 63);
    if (n <= free) {
      words[word] |= v << (free - n);
    } else {
      words[word] |= v >>> (n - free);
      words[word + 1] |= v << (64 - (n - free));
    }
  }
}
