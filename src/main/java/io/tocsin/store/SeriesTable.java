package io.tocsin.store;

/**
 * The series of one metric by their labels: an open-addressing hash table with linear probing,
 * holding the series themselves and, in an array beside them, each one's labels hash. A {@code
 * ConcurrentHashMap} costs a 32-byte node per entry besides its table; this costs only its two
 * arrays (in pages), about 13 bytes per series. The hashes let a probe step over the other entries of its
 * run by comparing ints in one array, without reading a series and its labels from wherever they
 * lie in the heap: those were two cache misses per step, and most of ingest's time in a lookup.
 *
 * <p>Reads take no lock and may run alongside one writer; callers serialise writes. A reader
 * works on the arrays it read once: a resize publishes new arrays and never changes the old
 * ones, and removal leaves a tombstone, so a probe never stops early at a hole that was not
 * there when the entry was added. A reader may miss an entry added meanwhile (it may see the
 * series before its hash, or the hash before the series), which callers allow for (a miss makes
 * a writer look again under the lock), and may find one removed meanwhile, which the series
 * itself tells ({@link Series#isRemoved}). A found series' labels are always compared, so a
 * stale hash never makes a wrong match.
 */
final class SeriesTable {
  private static final int MIN_CAPACITY = 16;
  /** Marks the slot of a removed series: probes go past it, adds may reuse it. */
  private static final Series TOMBSTONE =
      new Series(0, new Series.Family("", MetricKind.GAUGE, 1, AppendLog.NONE), Labels.EMPTY);

  /**
   * Slots per page. A table is kept in pages of 128 KiB per array, below half of G1's smallest
   * region: an array of half a region or more is humongous, given regions of its own whose
   * unused tails no other object may take. The three metrics of a million series had two such
   * arrays each (2 MiB in 4 MiB regions), 12 bytes per series.
   */
  private static final int PAGE_SHIFT = 15;
  private static final int PAGE_MASK = (1 << PAGE_SHIFT) - 1;

  /** A table's series and their labels hashes, at the same index, in pages; published together. */
  private record Slots(Series[][] series, int[][] hashes, int capacity) {
    Slots(int capacity) {
      this(new Series[Math.max(1, capacity >>> PAGE_SHIFT)][Math.min(capacity, 1 << PAGE_SHIFT)],
          new int[Math.max(1, capacity >>> PAGE_SHIFT)][Math.min(capacity, 1 << PAGE_SHIFT)], capacity);
    }

    Series series(int i) {
      return series[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    int hash(int i) {
      return hashes[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    void set(int i, Series s) {
      series[i >>> PAGE_SHIFT][i & PAGE_MASK] = s;
    }

    /** Sets the hash before the series, so that a reader that sees the series mostly sees its hash. */
    void set(int i, Series s, int hash) {
      hashes[i >>> PAGE_SHIFT][i & PAGE_MASK] = hash;
      series[i >>> PAGE_SHIFT][i & PAGE_MASK] = s;
    }
  }

  private volatile Slots slots = new Slots(MIN_CAPACITY);
  private int live;
  /** Live entries plus tombstones: kept at most three quarters of the slots, so probes end. */
  private int used;

  /** The series whose labels equal {@code key}, a {@link Labels} or a {@link LabelsProbe}. */
  Series get(Object key) {
    Slots table = slots;
    int mask = table.capacity - 1;
    int hash = key.hashCode();
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      Series s = table.series(i);
      if (s == null) {
        return null;
      }
      if (table.hash(i) == hash && s != TOMBSTONE && key.equals(s.labels())) {
        return s;
      }
    }
  }

  /** Adds a series whose labels are not in the table yet. */
  void add(Series series) {
    if ((used + 1) * 4L > slots.capacity * 3L) {
      resize(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, live + 1) * 4 - 1)));
    }
    Slots table = slots;
    int mask = table.capacity - 1;
    int hash = series.labels().hashCode();
    int i = spread(hash) & mask;
    while (table.series(i) != null && table.series(i) != TOMBSTONE) {
      i = (i + 1) & mask;
    }
    if (table.series(i) == null) {
      used++;
    }
    table.set(i, series, hash);
    live++;
  }

  /** Removes {@code series} itself (not another with equal labels); false when absent. */
  boolean remove(Series series) {
    Slots table = slots;
    int mask = table.capacity - 1;
    for (int i = spread(series.labels().hashCode()) & mask; table.series(i) != null; i = (i + 1) & mask) {
      if (table.series(i) == series) {
        table.set(i, TOMBSTONE);
        live--;
        return true;
      }
    }
    return false;
  }

  boolean isEmpty() {
    return live == 0;
  }

  /** Drops tombstones and shrinks the table after many removals. */
  void compact() {
    resize(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, live) * 4 - 1)));
  }

  /** Rehashes the live entries into {@code capacity} slots, a power of two, published at once. */
  private void resize(int capacity) {
    Slots old = slots;
    Slots table = new Slots(capacity);
    int mask = capacity - 1;
    for (int j = 0; j < old.capacity; j++) {
      Series s = old.series(j);
      if (s != null && s != TOMBSTONE) {
        int hash = old.hash(j);
        int i = spread(hash) & mask;
        while (table.series(i) != null) {
          i = (i + 1) & mask;
        }
        table.set(i, s, hash);
      }
    }
    used = live;
    slots = table;
  }

  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }
}
