package io.tocsin.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Chunks of snapshot formats 1 and 2 (main until the two-word header) as {@link Chunk} keeps them
 * now. Both had a three-word header (first time, last time, then the count in the low 32 bits
 * and the coding and exponent above it) and coded every timestamp; format 1 also repeated the
 * first time after the header, in a word of its own, and wrote the first value (a decimal chunk's
 * first mantissa) in the 64 bits after it. Their samples are decoded field by field and written
 * again; a loaded snapshot does this once, and a head chunk then appends exactly as one written
 * now. Usually one chunk comes out, more when a chunk of an older format goes past this one's
 * limits ({@link Chunk#MAX_COUNT} samples, each at most {@link Chunk.Head#MAX_DELTA} after the
 * one before).
 */
final class ChunkFormat2 {
  private static final int OLD_HEADER_WORDS = 3;
  private static final int XOR = 0;
  private static final int DECIMAL = 1;

  private ChunkFormat2() {}

  /** A head chunk of an older format coded again: the sealed chunks before it, and the head. */
  record Head(List<long[]> sealed, Chunk.HeadImage head) {}

  /**
   * The samples of a sealed chunk of {@code format} (1 or 2) in sealed chunks of this format.
   *
   * @throws IllegalArgumentException when the chunk is not one that format could hold
   */
  static List<long[]> sealed(long[] chunk, int format) {
    List<long[]> out = new ArrayList<>(1);
    Chunk.Writer last = encode(chunk, chunk.length * 64, format, out);
    out.add(last.seal());
    return out;
  }

  /** Like {@link #sealed} for a head chunk of {@code bitLength} bits; its last chunk is the head. */
  static Head head(long[] words, int bitLength, int format) {
    List<long[]> sealed = new ArrayList<>(1);
    Chunk.Writer last = encode(words, bitLength, format, sealed);
    return new Head(sealed, last.image());
  }

  /** Writes the chunk's samples into {@code sealed} chunks and returns the writer holding the last ones. */
  private static Chunk.Writer encode(long[] chunk, int bitLength, int format, List<long[]> sealed) {
    int start = (OLD_HEADER_WORDS + (format == 1 ? 1 : 0)) * 64;
    if (chunk.length < OLD_HEADER_WORDS + 1 || bitLength > chunk.length * 64 || bitLength < start) {
      throw new IllegalArgumentException("chunk of format " + format + " with " + chunk.length + " words");
    }
    long count = chunk[2] & 0xffff_ffffL;
    int coding = (int) ((chunk[2] >>> 32) & 0xff);
    int exponent = (int) ((chunk[2] >>> 40) & 0xff);
    // Each sample after the first takes at least two bits.
    if (count < 1 || count > 1 + (bitLength - start) / 2 || coding > DECIMAL || exponent > Chunk.MAX_EXPONENT
        || format == 1 && chunk[OLD_HEADER_WORDS] != chunk[0]) {
      throw new IllegalArgumentException("chunk of format " + format + " has a header no writer made");
    }
    boolean decimal = coding == DECIMAL;
    double scale = Chunk.scale(exponent);
    BitReader in = new BitReader(chunk, start);
    long time = chunk[0];
    long delta = 0;
    long bits = 0;
    long mantissa = 0;
    int leading = 0;
    int trailing = 0;
    Chunk.Writer writer = null;
    for (long i = 0; i < count; i++) {
      boolean special = false;
      if (i > 0) {
        delta += in.readTimestampDelta();
        if (delta <= 0) {
          throw new IllegalArgumentException("chunk of format " + format + " has samples out of order");
        }
        time += delta;
      }
      if (i == 0 && (format == 1 || !decimal)) {
        bits = in.read(64);
        mantissa = bits;
      } else if (decimal) {
        switch (in.readUnary(5)) {
          case 0 -> { }
          case 1 -> mantissa += in.readSigned(7);
          case 2 -> mantissa += in.readSigned(14);
          case 3 -> mantissa += in.readSigned(24);
          case 4 -> mantissa += in.read(64);
          default -> {
            special = true;
            bits = in.read(64);
          }
        }
      } else if (in.read(1) == 1) {
        if (in.read(1) == 1) {
          leading = (int) in.read(5);
          int significant = (int) in.read(6);
          trailing = 64 - leading - (significant == 0 ? 64 : significant);
        }
        int meaningful = 64 - leading - trailing;
        bits ^= in.read(meaningful) << trailing;
      }
      double value = !decimal || special ? Double.longBitsToDouble(bits) : mantissa / scale;
      if (writer == null || !writer.append(time, value)) {
        if (writer != null) {
          sealed.add(writer.seal());
        }
        writer = new Chunk.Writer(value);
        if (!writer.append(time, value)) {
          throw new IllegalStateException("a new chunk refused its first sample");
        }
      }
    }
    if (time != chunk[1]) {
      throw new IllegalArgumentException("chunk of format " + format + " ends at " + time + ", not at " + chunk[1]);
    }
    return writer;
  }
}
