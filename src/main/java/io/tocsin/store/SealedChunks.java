package io.tocsin.store;

import java.util.Arrays;

/**
 * A series' sealed chunks, back to back in one {@code long[]}: an array per chunk cost 20 bytes
 * of array header and reference each, 80 bytes per series for an hour of 15 s samples in four
 * chunks. Each chunk's length in words is in the top bits of its header word 1 ({@link
 * Chunk}), set when it is joined; walk them with {@code for (at = 0; at < chunks.length; at +=
 * length(chunks, at))}. Arrays of chunks, once made, never change, so a snapshot may share them.
 */
final class SealedChunks {
  private static final int LENGTH_SHIFT = Chunk.LENGTH_SHIFT;

  private SealedChunks() {}

  /** The length in words of the chunk at {@code at} of an array {@link #append} or {@link #join} built. */
  static int length(long[] chunks, int at) {
    return (int) (chunks[at + 1] >>> LENGTH_SHIFT);
  }

  /** The offset of the last chunk in {@code chunks}, which holds at least one. */
  static int lastAt(long[] chunks) {
    int at = 0;
    for (int next = length(chunks, 0); next < chunks.length; next += length(chunks, next)) {
      at = next;
    }
    return at;
  }

  /** {@code chunks} followed by the sealed {@code chunk}, in a new array. */
  static long[] append(long[] chunks, long[] chunk) {
    return append(chunks, chunk, 0, chunk.length);
  }

  /** {@code chunks} followed by the {@code length} words at {@code at} of {@code page}, a sealed chunk, in a new array. */
  static long[] append(long[] chunks, long[] page, int at, int length) {
    long[] joined = Arrays.copyOf(chunks, chunks.length + length);
    System.arraycopy(page, at, joined, chunks.length, length);
    setLength(joined, chunks.length, length);
    return joined;
  }

  /** The first {@code n} of {@code chunks}, sealed, back to back as {@link #append} joins them. */
  static long[] join(long[][] chunks, int n) {
    int words = 0;
    for (int i = 0; i < n; i++) {
      words += chunks[i].length;
    }
    long[] joined = new long[words];
    int at = 0;
    for (int i = 0; i < n; i++) {
      place(chunks[i], joined, at);
      at += chunks[i].length;
    }
    return joined;
  }

  /** Copies {@code chunk} into {@code joined} at {@code at}, with its length in its header. */
  private static void place(long[] chunk, long[] joined, int at) {
    System.arraycopy(chunk, 0, joined, at, chunk.length);
    setLength(joined, at, chunk.length);
  }

  /**
   * Puts {@code length} into the header of the chunk at {@code at}, as joining does: for chunks
   * copied back to back by their reader ({@link SeriesRecords}).
   */
  static void setLength(long[] joined, int at, int length) {
    if (length >= 1 << (64 - LENGTH_SHIFT)) {
      throw new IllegalArgumentException("chunk of " + length + " words");
    }
    joined[at + 1] = (joined[at + 1] & ~(-1L << LENGTH_SHIFT)) | ((long) length << LENGTH_SHIFT);
  }
}
