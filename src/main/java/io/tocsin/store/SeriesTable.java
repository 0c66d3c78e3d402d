package io.tocsin.store;

/**
 * The series of one metric by their labels: an open-addressing hash table with linear probing,
 * holding the series themselves. A {@code ConcurrentHashMap} costs a 32-byte node per entry
 * besides its table; this costs only its table, about 7 bytes per series.
 *
 * <p>Reads take no lock and may run alongside one writer; callers serialise writes. A reader
 * works on the array it read once: a resize publishes a new array and never changes the old
 * one, and removal leaves a tombstone, so a probe never stops early at a hole that was not
 * there when the entry was added. A reader may miss an entry added meanwhile, which callers
 * allow for (a miss makes a writer look again under the lock), and may find one removed
 * meanwhile, which the series itself tells ({@link Series#isRemoved}).
 */
final class SeriesTable {
  private static final int MIN_CAPACITY = 16;
  /** Marks the slot of a removed series: probes go past it, adds may reuse it. */
  private static final Series TOMBSTONE =
      new Series(0, new Series.Family("", MetricKind.GAUGE, 1, AppendLog.NONE), Labels.EMPTY);

  private volatile Series[] slots = new Series[MIN_CAPACITY];
  private int live;
  /** Live entries plus tombstones: kept at most three quarters of the slots, so probes end. */
  private int used;

  /** The series whose labels equal {@code key}, a {@link Labels} or a {@link LabelsProbe}. */
  Series get(Object key) {
    Series[] table = slots;
    int mask = table.length - 1;
    int hash = key.hashCode();
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      Series s = table[i];
      if (s == null) {
        return null;
      }
      if (s != TOMBSTONE && s.labels().hashCode() == hash && key.equals(s.labels())) {
        return s;
      }
    }
  }

  /** Adds a series whose labels are not in the table yet. */
  void add(Series series) {
    if ((used + 1) * 4L > slots.length * 3L) {
      resize(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, live + 1) * 4 - 1)));
    }
    Series[] table = slots;
    int mask = table.length - 1;
    int i = spread(series.labels().hashCode()) & mask;
    while (table[i] != null && table[i] != TOMBSTONE) {
      i = (i + 1) & mask;
    }
    if (table[i] == null) {
      used++;
    }
    table[i] = series;
    live++;
  }

  /** Removes {@code series} itself (not another with equal labels); false when absent. */
  boolean remove(Series series) {
    Series[] table = slots;
    int mask = table.length - 1;
    for (int i = spread(series.labels().hashCode()) & mask; table[i] != null; i = (i + 1) & mask) {
      if (table[i] == series) {
        table[i] = TOMBSTONE;
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
    Series[] old = slots;
    Series[] table = new Series[capacity];
    int mask = capacity - 1;
    for (Series s : old) {
      if (s != null && s != TOMBSTONE) {
        int i = spread(s.labels().hashCode()) & mask;
        while (table[i] != null) {
          i = (i + 1) & mask;
        }
        table[i] = s;
      }
    }
    used = live;
    slots = table;
  }

  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }
}
