package io.tocsin.store;

/**
 * The series of one metric by their labels: an open-addressing hash table with linear probing,
 * holding the series themselves and, in an array beside them, a byte of each one's labels hash
 * (its tag; 0 marks an empty slot). A {@code ConcurrentHashMap} costs a 32-byte node per entry
 * besides its table; this costs only its two arrays (in pages), 6 to 9 bytes per series. The tags
 * let a probe step over the other entries of its run, and end at an empty slot, by reading bytes
 * of one array, without reading a series and its labels from wherever they lie in the heap: those
 * were two cache misses per step, and most of ingest's time in a lookup. A tag of the full hash
 * cost 4 bytes per slot where this costs 1; one entry in 255 of a run is read in vain, and a
 * resize or removal hashes the series' labels again.
 *
 * <p>Reads take no lock and may run alongside one writer; callers serialise writes. A reader
 * works on the arrays it read once: a resize publishes new arrays and never changes the old
 * ones, and removal leaves a tombstone (keeping its tag), so a probe never stops early at a hole
 * that was not there when the entry was added. A reader may miss an entry added meanwhile (it may
 * see the series before its tag, or the tag before the series), which callers allow for (a miss
 * makes a writer look again under the lock), and may find one removed meanwhile, which the
 * series itself tells ({@link Series#isRemoved}). A found series' labels are always compared, so
 * a tag shared by other labels never makes a wrong match.
 */
final class SeriesTable {
  private static final int MIN_CAPACITY = 16;
  /** Marks the slot of a removed series: probes go past it, adds may reuse it. */
  private static final Series TOMBSTONE =
      new Family("", MetricKind.GAUGE, 1, AppendLog.NONE).create(0, Labels.EMPTY);

  /**
   * Slots per page. A table is kept in pages of 128 KiB per array, below half of G1's smallest
   * region: an array of half a region or more is humongous, given regions of its own whose
   * unused tails no other object may take. The three metrics of a million series had two such
   * arrays each (2 MiB in 4 MiB regions), 12 bytes per series.
   */
  private static final int PAGE_SHIFT = 15;
  private static final int PAGE_MASK = (1 << PAGE_SHIFT) - 1;

  /**
   * Entries at most this share of the slots, tombstones included, so probes end soon; a table
   * grows (or shrinks, compacted) to {@link #capacityFor} slots, where entries fill {@link
   * #FILL_AFTER_RESIZE} of them. A power-of-two table that doubled at three quarters was half
   * empty on average (14 bytes per series); one that grows by a third stays 60-80% full.
   */
  private static final double MAX_FILL = 0.8;
  private static final double FILL_AFTER_RESIZE = 0.6;

  /**
   * Slots for {@code entries}: whole pages once beyond one. The first slot of a probe is the
   * hash's spread scaled to the capacity ({@link #start}), which needs no power of two.
   */
  static int capacityFor(int entries) {
    long slots = Math.max(MIN_CAPACITY, (long) Math.ceil(entries / FILL_AFTER_RESIZE));
    if (slots > PAGE_MASK + 1) {
      slots = (slots + PAGE_MASK) & ~(long) PAGE_MASK;
    }
    return (int) Math.min(slots, 1 << 30);
  }

  private static int start(int hash, int capacity) {
    return (int) (((spread(hash) & 0xFFFFFFFFL) * capacity) >>> 32);
  }

  private static int next(int i, int capacity) {
    return i + 1 == capacity ? 0 : i + 1;
  }

  /**
   * The tag of a labels hash: its spread's low byte, which {@link #start} (the high bits) does
   * not use; 1 to 255, as 0 marks an empty slot.
   */
  private static byte tag(int hash) {
    int t = spread(hash) & 0xFF;
    return (byte) (t == 0 ? 1 : t);
  }

  /** A table's series and their tags, at the same index, in pages; published together. */
  private record Slots(Series[][] series, byte[][] tags, int capacity) {
    Slots(int capacity) {
      this(new Series[Math.max(1, capacity >>> PAGE_SHIFT)][Math.min(capacity, 1 << PAGE_SHIFT)],
          new byte[Math.max(1, capacity >>> PAGE_SHIFT)][Math.min(capacity, 1 << PAGE_SHIFT)], capacity);
    }

    Series series(int i) {
      return series[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    byte tag(int i) {
      return tags[i >>> PAGE_SHIFT][i & PAGE_MASK];
    }

    void set(int i, Series s) {
      series[i >>> PAGE_SHIFT][i & PAGE_MASK] = s;
    }

    /** Sets the series before the tag, so that a reader that sees the tag mostly sees its series. */
    void set(int i, Series s, byte tag) {
      series[i >>> PAGE_SHIFT][i & PAGE_MASK] = s;
      tags[i >>> PAGE_SHIFT][i & PAGE_MASK] = tag;
    }
  }

  private volatile Slots slots = new Slots(MIN_CAPACITY);
  private int live;
  /** Live entries plus tombstones: kept at most {@link #MAX_FILL} of the slots, so probes end. */
  private int used;

  /** The series whose labels equal {@code key}, a {@link Labels} or a {@link LabelsProbe}. */
  Series get(Object key) {
    Slots table = slots;
    int capacity = table.capacity;
    int hash = key.hashCode();
    byte tag = tag(hash);
    for (int i = start(hash, capacity); ; i = next(i, capacity)) {
      byte t = table.tag(i);
      if (t == 0) {
        return null;
      }
      if (t == tag) {
        // Null while a writer fills the slot: a miss, which callers allow for.
        Series s = table.series(i);
        if (s != null && s != TOMBSTONE && key.equals(s.labels())) {
          return s;
        }
      }
    }
  }

  /** Adds a series whose labels are not in the table yet. */
  void add(Series series) {
    if (used + 1 > slots.capacity * MAX_FILL) {
      resize(capacityFor(live + 1));
    }
    Slots table = slots;
    int capacity = table.capacity;
    int hash = series.labels().hashCode();
    int i = start(hash, capacity);
    while (table.tag(i) != 0 && table.series(i) != TOMBSTONE) {
      i = next(i, capacity);
    }
    if (table.tag(i) == 0) {
      used++;
    }
    table.set(i, series, tag(hash));
    live++;
  }

  /** Removes {@code series} itself (not another with equal labels); false when absent. */
  boolean remove(Series series) {
    Slots table = slots;
    int capacity = table.capacity;
    for (int i = start(series.labels().hashCode(), capacity); table.tag(i) != 0; i = next(i, capacity)) {
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

  /** The series held, tombstones left out. */
  int size() {
    return live;
  }

  /**
   * Makes room for {@code entries} series in all without resizing, rehashing the ones held once
   * now rather than many times while they are added (a snapshot restores a metric's series all
   * at once).
   */
  void reserve(int entries) {
    if (entries > slots.capacity * MAX_FILL) {
      resize(capacityFor(entries));
    }
  }

  /** Drops tombstones and shrinks the table after many removals. */
  void compact() {
    resize(capacityFor(live));
  }

  /**
   * Rehashes the live entries into {@code capacity} slots ({@link #capacityFor}), published at
   * once. The slots keep only a byte of each hash, so the labels are hashed again.
   */
  private void resize(int capacity) {
    Slots old = slots;
    Slots table = new Slots(capacity);
    for (int j = 0; j < old.capacity; j++) {
      Series s = old.series(j);
      if (s != null && s != TOMBSTONE) {
        int hash = s.labels().hashCode();
        int i = start(hash, capacity);
        while (table.tag(i) != 0) {
          i = next(i, capacity);
        }
        table.set(i, s, tag(hash));
      }
    }
    used = live;
    slots = table;
  }

  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }
}
