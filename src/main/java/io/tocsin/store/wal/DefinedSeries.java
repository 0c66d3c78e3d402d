package io.tocsin.store.wal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The ids of the series the log has defined in its current epoch: a bit per id, in pages of 4,096
 * ids made when one of their series is first defined. Each series kept the segment of its last
 * definition in an int of its own, which with the series' other fields made it 8 bytes larger;
 * ids are given out in order from one counter, so a million series fill about 250 pages (128
 * KiB), and the page table holds a reference per 4,096 ids ever given out; pages of ids above
 * 2^32 (a store would give out a million ids a minute for eight years) are kept in a map. Guarded
 * by the log's lock.
 */
final class DefinedSeries {
  private static final int PAGE_SHIFT = 12;
  private static final int PAGE_MASK = (1 << PAGE_SHIFT) - 1;

  /** Pages in the table up to this index; later ones in {@link #far}. */
  private static final long TABLE_PAGES = 1L << (32 - PAGE_SHIFT);

  private long[][] pages = new long[16][];
  private final Map<Long, long[]> far = new HashMap<>();

  /** Adds {@code id}; true when it was not there yet. */
  boolean add(long id) {
    long p = id >>> PAGE_SHIFT;
    long[] page;
    if (p < TABLE_PAGES) {
      if (p >= pages.length) {
        pages = Arrays.copyOf(pages, (int) Math.max(p + 1, Math.min(TABLE_PAGES, pages.length * 2L)));
      }
      page = pages[(int) p];
      if (page == null) {
        page = pages[(int) p] = new long[1 << (PAGE_SHIFT - 6)];
      }
    } else {
      page = far.computeIfAbsent(p, k -> new long[1 << (PAGE_SHIFT - 6)]);
    }
    int bit = (int) id & PAGE_MASK;
    long mask = 1L << bit;
    if ((page[bit >>> 6] & mask) != 0) {
      return false;
    }
    page[bit >>> 6] |= mask;
    return true;
  }

  /** Forgets every id: a new epoch defines each series again. */
  void clear() {
    Arrays.fill(pages, null);
    far.clear();
  }
}
