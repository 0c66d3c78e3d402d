package io.tocsin.store;

/**
 * The series of one metric by their labels: an open-addressing hash table with linear probing,
 * holding the series themselves and, in an array beside them, each one's labels hash. A {@code
 * ConcurrentHashMap} costs a 32-byte node per entry besides its table; this costs only its two
 * arrays, about 13 bytes per series. The hashes let a probe step over the other entries of its
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

  /** A table's series and their labels hashes, at the same index; published together. */
  private record Slots(Series[] series, int[] hashes) {
    Slots(int capacity) {
      this(new Series[capacity], new int[capacity]);
    }
  }

  private volatile Slots slots = new Slots(MIN_CAPACITY);
  private int live;
  /** Live entries plus tombstones: kept at most three quarters of the slots, so probes end. */
  private int used;

  /** The series whose labels equal {@code key}, a {@link Labels} or a {@link LabelsProbe}. */
  Series get(Object key) {
    Slots table = slots;
    Series[] series = table.series;
    int[] hashes = table.hashes;
    int mask = series.length - 1;
    int hash = key.hashCode();
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      Series s = series[i];
      if (s == null) {
        return null;
      }
      if (hashes[i] == hash && s != TOMBSTONE && key.equals(s.labels())) {
        return s;
      }
    }
  }

  /** Adds a series whose labels are not in the table yet. */
  void add(Series series) {
    if ((used + 1) * 4L > slots.series.length * 3L) {
      resize(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, live + 1) * 4 - 1)));
    }
    Slots table = slots;
    int mask = table.series.length - 1;
    int hash = series.labels().hashCode();
    int i = spread(hash) & mask;
    while (table.series[i] != null && table.series[i] != TOMBSTONE) {
      i = (i + 1) & mask;
    }
    if (table.series[i] == null) {
      used++;
    }
    table.hashes[i] = hash;
    table.series[i] = series;
    live++;
  }

  /** Removes {@code series} itself (not another with equal labels); false when absent. */
  boolean remove(Series series) {
    Series[] table = slots.series;
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
    Slots old = slots;
    Slots table = new Slots(capacity);
    int mask = capacity - 1;
    for (int j = 0; j < old.series.length; j++) {
      Series s = old.series[j];
      if (s != null && s != TOMBSTONE) {
        int hash = old.hashes[j];
        int i = spread(hash) & mask;
        while (table.series[i] != null) {
          i = (i + 1) & mask;
        }
        table.hashes[i] = hash;
        table.series[i] = s;
      }
    }
    used = live;
    slots = table;
  }

  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }
}
