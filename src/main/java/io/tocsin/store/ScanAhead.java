package io.tocsin.store;

/**
 * Loads, a few series ahead of a scan, what the scan of each series reads first: the series
 * object, then its labels, sealed chunks and head chunk. One series' fold is too long for the
 * processor to reach the next series' loads while it runs, so without this every series waits
 * on memory two or three times in a row, each wait depending on the one before; loaded ahead,
 * the waits of several series overlap. Java has no prefetch instruction: these are plain loads
 * whose values are summed and kept, so that the compiler does not drop them. Nothing loaded is
 * used, so the loads need no lock.
 */
final class ScanAhead {
  /** How many series ahead their chunks are loaded; the series objects are loaded twice as far. */
  private static final int DISTANCE = 8;
  /** Where the scans' sums of loaded values end up, so that the loads count as used. */
  private static long kept;

  private ScanAhead() {}

  /**
   * Loads ahead of {@code series[i]}, which a scan of the series before {@code end} is about to
   * read; returns a value for {@link #keep}.
   */
  static long load(Series[] series, int i, int end) {
    return i + 2 * DISTANCE < end ? series[i + 2 * DISTANCE].touch() + series[i + DISTANCE].touchChunks() : 0;
  }

  /** Keeps the sum of a scan's {@link #load} values. */
  static void keep(long loaded) {
    kept += loaded; // a lost update between scans loses nothing: the value means nothing
  }
}
