package io.tocsin.store;

import java.util.function.Predicate;

/**
 * Walks a scan's series with their memory loaded ahead: a series' object and labels a few
 * series before the scan reaches it, then, for one that matches the scan's filter, its sealed
 * chunks and head chunk. One series' fold is too long for the processor to reach the next
 * series' loads while it runs, so without this every series waits on memory two or three times
 * in a row, each wait depending on the one before; loaded ahead, the waits of several series
 * overlap (the seed query over a million series per metric: 432-455 ms against 525-589 ms).
 * The filter is tested ahead too, once per series, so that the chunks of a series it rejects
 * are not loaded. Java has no prefetch instruction: these are plain loads whose values are
 * summed and kept, so that the compiler does not drop them. Nothing loaded is used, so the
 * loads need no lock. One per scan part; not thread-safe.
 */
final class ScanAhead {
  /** How many series ahead chunks are loaded; objects and labels are loaded twice as far. */
  private static final int DISTANCE = 8;
  /** Where the scans' sums of loaded values end up, so that the loads count as used. */
  private static long kept;

  private final Series[] series;
  private final int end;
  private final Predicate<Labels> filter;
  private final HeadPages pages;
  /** Whether series {@code j} matches the filter, at {@code j % DISTANCE}, for the next {@code DISTANCE} series. */
  private final boolean[] matches = new boolean[DISTANCE];
  private long loaded;

  /** For a scan of {@code series[start]} to {@code series[end - 1]}, scalar series whose heads are in {@code pages}. */
  ScanAhead(Series[] series, int start, int end, Predicate<Labels> filter, HeadPages pages) {
    this.series = series;
    this.end = end;
    this.filter = filter;
    this.pages = pages;
    for (int j = start; j < Math.min(end, start + 2 * DISTANCE); j++) {
      loaded += series[j].touch();
    }
    for (int j = start; j < Math.min(end, start + DISTANCE); j++) {
      matches[j % DISTANCE] = test(j);
    }
  }

  /**
   * Whether {@code series[i]}, which the scan reaches now, matches the filter; loads ahead for
   * the series after it. Called once for every series, in order from {@code start} on: the
   * answer for {@code i} is in the ring only until the call for {@code i} replaces it.
   */
  boolean matches(int i) {
    boolean match = matches[i % DISTANCE];
    int ahead = i + DISTANCE;
    if (ahead < end) {
      matches[ahead % DISTANCE] = test(ahead);
      if (ahead + DISTANCE < end) {
        loaded += series[ahead + DISTANCE].touch();
      }
    }
    return match;
  }

  /** Ends the scan. */
  void done() {
    kept += loaded; // a lost update between scans loses nothing: the value means nothing
  }

  private boolean test(int j) {
    Series s = series[j];
    if (!filter.test(s.labels())) {
      return false;
    }
    loaded += s.touchChunks(pages);
    return true;
  }
}
