package io.tocsin.store;

import java.util.function.Predicate;

/**
 * Walks a scan's series with their memory loaded ahead: a series' object (which holds its
 * labels) and key set some series before the scan reaches it, then, for one that matches the
 * scan's filter, its sealed chunks and head chunk. One series' fold is too long for the
 * processor to reach the next series' loads while it runs, so without this every series waits
 * on memory two or three times in a row, each wait depending on the one before.
 *
 * <p>The loads are made in batches of {@link #BATCH} series, back to back: a processor overlaps
 * only the misses it meets within its reorder window, a few hundred instructions, so one load
 * made ahead at each series overlapped little where a series' fold is short, as in a monitor's
 * cycle that reads one new bucket (1,000 monitors over a million series, in separate runs: a
 * median cycle of 228-244 ms and 0.41-0.44 CPU-s in batches, 248-319 ms and 0.46-0.56 CPU-s with
 * one load a series; the seed query, whose folds are long, within noise of both). The filter is
 * tested ahead too, once per series, so that the chunks of a series it rejects are not loaded.
 * Java has no prefetch instruction: these are plain loads whose values are summed and kept, so
 * that the compiler does not drop them. Nothing loaded is used, so the loads need no lock. One
 * per scan part; not thread-safe.
 */
final class ScanAhead {
  /**
   * Series loaded per batch: when the scan reaches the first of a batch, the chunks of the next
   * batch and the objects of the one after it are loaded.
   */
  private static final int BATCH = 8;
  /** Match flags kept: those of the batch being scanned and of the next. */
  private static final int RING = 2 * BATCH;
  /** Where the scans' sums of loaded values end up, so that the loads count as used. */
  private static long kept;

  private final Series[] series;
  private final int end;
  private final Predicate<Labels> filter;
  private final HeadPages pages;
  /** Whether series {@code j} matches the filter, at {@code j % RING}. */
  private final boolean[] matches = new boolean[RING];
  /** The first series of the next batch: reaching it loads ahead for the two after it. */
  private int nextBatch;
  private long loaded;

  /** For a scan of {@code series[start]} to {@code series[end - 1]}, scalar series whose heads are in {@code pages}. */
  ScanAhead(Series[] series, int start, int end, Predicate<Labels> filter, HeadPages pages) {
    this.series = series;
    this.end = end;
    this.filter = filter;
    this.pages = pages;
    loadObjects(start, start + 2 * BATCH);
    testAndLoadChunks(start, start + BATCH);
    nextBatch = start;
  }

  /**
   * Whether {@code series[i]}, which the scan reaches now, matches the filter; at the first series
   * of a batch, loads ahead for the batches after it. Called once for every series, in order
   * from {@code start} on.
   */
  boolean matches(int i) {
    if (i == nextBatch) {
      testAndLoadChunks(i + BATCH, i + 2 * BATCH);
      loadObjects(i + 2 * BATCH, i + 3 * BATCH);
      nextBatch = i + BATCH;
    }
    return matches[i % RING];
  }

  /** Ends the scan. */
  void done() {
    kept += loaded; // a lost update between scans loses nothing: the value means nothing
  }

  private void loadObjects(int from, int to) {
    long sum = 0;
    for (int j = from, last = Math.min(to, end); j < last; j++) {
      sum += series[j].touch();
    }
    loaded += sum;
  }

  /** Tests the filter on series {@code from} to {@code to - 1}, and loads the chunks of those it matches. */
  private void testAndLoadChunks(int from, int to) {
    long sum = 0;
    for (int j = from, last = Math.min(to, end); j < last; j++) {
      Series s = series[j];
      boolean match = filter.test(s.labels());
      if (match) {
        sum += s.touchChunks(pages);
      }
      matches[j % RING] = match;
    }
    loaded += sum;
  }
}
