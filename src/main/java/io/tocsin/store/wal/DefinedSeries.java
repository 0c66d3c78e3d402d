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

  /** Whether {@code id} was added since the last {@link #clear}. */
  boolean contains(long id) {
    long[] page = page(id >>> PAGE_SHIFT, false);
    int bit = (int) id & PAGE_MASK;
    return page != null && (page[bit >>> 6] & 1L << bit) != 0;
  }

  void add(long id) {
    int bit = (int) id & PAGE_MASK;
    page(id >>> PAGE_SHIFT, true)[bit >>> 6] |= 1L << bit;
  }

  /** Page {@code p}, made when {@code create}; null when it is not there and not to be made. */
  private long[] page(long p, boolean create) {
    if (p >= TABLE_PAGES) {
      return create ? far.computeIfAbsent(p, k -> new long[1 << (PAGE_SHIFT - 6)]) : far.get(p);
    }
    if (p >= pages.length) {
      if (!create) {
        return null;
      }
      pages = Arrays.copyOf(pages, (int) Math.max(p + 1, Math.min(TABLE_PAGES, pages.length * 2L)));
    }
    long[] page = pages[(int) p];
    if (page == null && create) {
      page = pages[(int) p] = new long[1 << (PAGE_SHIFT - 6)];
    }
    return page;
  }

  /** Forgets every id: a new epoch defines each series again. */
  void clear() {
    Arrays.fill(pages, null);
    far.clear();
  }
}
