package io.tocsin.store;

/**
 * Chunks of snapshot format 1 (main until issue 14), which repeated the first time after the
 * header and wrote a decimal chunk's first mantissa in 64 bits, as {@link Chunk} keeps them now.
 */
final class ChunkFormat1 {
  /** Where the header's word 2 holds the coding and the exponent. */
  private static final long CODING_BITS = 0xffffL << 32;

  private ChunkFormat1() {}

  /**
   * A sealed chunk of snapshot format 1 as this format keeps it. Format 1 repeated the first time
   * after the header and wrote a decimal chunk's first mantissa in 64 bits; the samples are
   * decoded and coded again, which gives the same coding and exponent (both follow from the
   * first value) and the same chunk boundaries.
   *
   * @throws IllegalArgumentException when the chunk is not one format 1 could hold
   */
  static long[] sealed(long[] chunk) {
    return writer(chunk).seal();
  }

  /** Like {@link #sealed} for a head chunk: its words and coding state, coded again. */
  static Chunk.HeadImage head(Chunk.HeadImage image) {
    return writer(image.words()).image();
  }

  private static Chunk.Writer writer(long[] chunk) {
    int count = Chunk.count(chunk);
    // A sample takes at least a bit: a larger count is damage, not a reason to allocate.
    if (chunk.length < Chunk.HEADER_WORDS + 2 || chunk[Chunk.HEADER_WORDS] != chunk[0] || count < 1
        || count > 64 * chunk.length) {
      throw new IllegalArgumentException("chunk of format 1 without its first sample");
    }
    long[] dropped = new long[chunk.length - 1]; // without the repeated first time
    System.arraycopy(chunk, 0, dropped, 0, Chunk.HEADER_WORDS);
    System.arraycopy(chunk, Chunk.HEADER_WORDS + 1, dropped, Chunk.HEADER_WORDS,
        chunk.length - Chunk.HEADER_WORDS - 1);
    long[] times = new long[count];
    double[] values = new double[count];
    Chunk.decode(dropped, 0, Long.MIN_VALUE, Long.MAX_VALUE, times, values, 0, true);
    Chunk.Writer writer = new Chunk.Writer(values[0]);
    for (int i = 0; i < count; i++) {
      if (!writer.append(times[i], values[i])) {
        throw new IllegalArgumentException("chunk of format 1 holds a value its coding cannot");
      }
    }
    if ((writer.words()[2] & CODING_BITS) != (chunk[2] & CODING_BITS)) {
      throw new IllegalArgumentException("chunk of format 1 has a coding its first value would not get");
    }
    return writer;
  }
}
