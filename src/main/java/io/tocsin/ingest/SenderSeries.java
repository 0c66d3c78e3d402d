package io.tocsin.ingest;

import io.tocsin.store.Series;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The series one remote-write sender (one connection) has written, in the order it wrote them,
 * by the bytes of their labels as it sent them. A Prometheus queue shard sends the same series
 * in the same order scrape after scrape, so the series it sends next is nearly always the entry
 * after the one it sent last: comparing the request's label bytes with bytes that lie next to
 * each other here finds it without describing the labels and searching the store's hash table,
 * which took about half of a remote-write request's time (each probe a cache miss on a series
 * and its labels).
 *
 * <p>Equal label bytes are equal labels, so a match needs no other check of the labels; a series
 * found here may have been evicted meanwhile, which writing to it tells ({@link
 * io.tocsin.store.SeriesStore#writeTo}), and kinds may have changed since, which the translator
 * tells by its version ({@link #ensureVersion}). A series is put here only after the general
 * path found it, so everything here passed that path's checks.
 *
 * <p>Memory: the label bytes plus about 40 bytes per series (index, arrays' room to grow; 130
 * bytes for a series of Prometheus' usual four labels), within a {@link Budget} shared by all
 * senders. Entries beyond it are not kept. A sender whose cycle does not fit its share would find
 * only the start of each cycle here, a small gain for its whole share: when the budget keeps
 * refusing entries and fewer than {@link #KEEP_HIT_SHARE} of the lookups between two checks
 * find a series, its entries are dropped and it puts no more (it is <em>waiting</em>) until its
 * cycle shows that it would fit: one of its series comes back within as many lookups as its share
 * held entries. Waiting costs a comparison with that one series' bytes per lookup and holds no
 * entries, so such a sender neither holds memory for little nor fills and drops its share over and
 * over. A sender's entries are also dropped when its connection closes ({@link #release}) and when
 * kinds change; a sender whose series changed while its share was full is dropped by the check of
 * the hit rate like one whose cycle does not fit, and fills its share again once its new cycle
 * shows that it fits.
 *
 * <p>Not thread-safe: one request at a time uses it (the receiver takes it off the connection).
 */
final class SenderSeries {
  /** Entries from the expected one on that are compared before the index is asked. */
  private static final int LOOKAHEAD = 3;
  /** Lookups between two checks of the hit rate. */
  private static final int CHECK_EVERY = 1 << 16;
  /**
   * Entries are kept while at least this share of the lookups between two checks finds a series
   * (or the budget refused no entry): three quarters, most of the sender's cycle.
   */
  private static final double KEEP_HIT_SHARE = 0.75;
  /** Entries a share is taken to hold when nothing says how large this sender's entries are. */
  private static final int BYTES_PER_ENTRY_GUESS = 160;
  private static final int MAX_ENTRIES = 1 << 24;
  private static final long MAX_BYTES = Integer.MAX_VALUE - 16;

  private final Budget budget;
  /** Bytes and arrays of this sender reserved in {@link #budget}. */
  private long reserved;

  private byte[] bytes = new byte[0];
  private int used;
  /** Entry {@code i}'s bytes are {@code [ends[i - 1], ends[i])} ({@code [0, ends[0])} for the first). */
  private int[] ends = new int[0];
  private Series[] series = new Series[0];
  private int[] hashes = new int[0];
  private int count;
  /** Entry index + 1 by hash, open addressing; for a sender that skips or reorders series. */
  private int[] index = new int[0];
  /** The entry expected next. */
  private int next;
  private int version;
  private int lookups;
  private int hits;
  /** Whether the budget refused an entry since the last check of the hit rate. */
  private boolean full;
  /** Whether it refused one between the two checks before: the share was full all through this interval. */
  private boolean fullBefore;
  /**
   * Whether this sender waits for its cycle to show that it fits (see the class comment): it puts
   * nothing, and its lookups watch for {@link #marker}.
   */
  private boolean waiting;
  /** While waiting, the label bytes of one series it sent, and the lookups since. */
  private byte[] marker = new byte[0];
  private int markerLength;
  private int sinceMarker;
  /** Entries this sender's share holds, as far as it knows: a cycle of at most this many fits. */
  private int fits;

  SenderSeries(Budget budget) {
    this.budget = budget;
  }

  /** Drops every entry when {@code current} is not the version they were found under. */
  void ensureVersion(int current) {
    if (version != current) {
      clear();
      version = current;
    }
  }

  /**
   * The series whose labels were sent as {@code body[from, to)} (the label fields of a
   * TimeSeries), or null when none is known here. The series may have been evicted since.
   */
  Series find(byte[] body, int from, int to) {
    if (++lookups == CHECK_EVERY) {
      checkHitRate();
    }
    if (waiting) {
      watch(body, from, to);
      return null;
    }
    if (count == 0) {
      return null;
    }
    int i = next;
    for (int k = 0; k < LOOKAHEAD; k++) {
      if (matches(i, body, from, to)) {
        return found(i);
      }
      if (++i == count) {
        i = 0; // the next cycle starts where this one did
      }
    }
    int entry = lookup(hash(body, from, to), body, from, to);
    return entry < 0 ? null : found(entry);
  }

  private Series found(int i) {
    hits++;
    next = i + 1 == count ? 0 : i + 1;
    return series[i];
  }

  /**
   * Remembers that the labels sent as {@code body[from, to)} are {@code found}'s, after {@link
   * #find} of the same bytes returned null (a new entry, unless this sender's share of the budget
   * is spent) or a series that was evicted ({@code found} replaces it). Puts come after all the
   * finds of a request (the scan finds its series as it reads it), so this looks the bytes up
   * again; that is a miss's cost, small beside the store's lookup before it.
   */
  void put(byte[] body, int from, int to, Series found) {
    if (waiting) {
      return;
    }
    int hash = hash(body, from, to);
    int entry = lookup(hash, body, from, to);
    if (entry >= 0) {
      series[entry] = found;
      return;
    }
    int length = to - from;
    if (!ensureRoom(length)) {
      full = true;
      return;
    }
    System.arraycopy(body, from, bytes, used, length);
    used += length;
    ends[count] = used;
    series[count] = found;
    hashes[count] = hash;
    insert(hash, count);
    count++;
    next = 0; // after the newest entry, the sender's next cycle
  }

  /** Drops everything and gives back its share of the budget: its connection closed. */
  void release() {
    clear();
  }

  int size() {
    return count;
  }

  /** Whether it puts nothing, its cycle not having shown that it fits its share (see the class comment). */
  boolean waiting() {
    return waiting;
  }

  private void clear() {
    budget.give(reserved);
    reserved = 0;
    bytes = new byte[0];
    ends = new int[0];
    series = new Series[0];
    hashes = new int[0];
    index = new int[0];
    used = 0;
    count = 0;
    next = 0;
    full = false;
    fullBefore = false;
  }

  /**
   * Drops the entries and starts {@linkplain #waiting waiting} when the budget refused entries in
   * this interval and in the one before (so the share was full all through this one) and fewer
   * than {@link #KEEP_HIT_SHARE} of its lookups found a series: the sender's cycle is larger than
   * its share, or its series changed. An interval in which the share filled up does not count: its
   * first lookups were misses that filled it.
   */
  private void checkHitRate() {
    if (full && fullBefore && hits < lookups * KEEP_HIT_SHARE) {
      // What the share held; more when other senders' shares, not this one's, refused entries.
      fits = reserved == 0 ? (int) (budget.perSender / BYTES_PER_ENTRY_GUESS)
          : (int) Math.min(MAX_ENTRIES, count * budget.perSender / reserved);
      clear();
      waiting = true;
      sinceMarker = fits; // the next lookup is the first marker
    }
    fullBefore = full;
    full = false;
    lookups = 0;
    hits = 0;
  }

  /**
   * A lookup while waiting: ends the wait when the marker series comes back within {@link #fits}
   * lookups (the cycle fits), takes this series as the marker when it did not.
   */
  private void watch(byte[] body, int from, int to) {
    int length = to - from;
    sinceMarker++;
    // A return sooner than an eighth of what fits is not taken for the cycle (the count goes on): a
    // sender may send a series twice within a request, and a cycle that short fits at its next returns.
    if (sinceMarker <= fits && sinceMarker >= fits / 8 && length == markerLength
        && Arrays.equals(marker, 0, length, body, from, to)) {
      waiting = false;
      return;
    }
    if (sinceMarker > fits) {
      if (marker.length < length) {
        marker = new byte[length];
      }
      System.arraycopy(body, from, marker, 0, length);
      markerLength = length;
      sinceMarker = 0;
    }
  }

  private boolean matches(int i, byte[] body, int from, int to) {
    int start = i == 0 ? 0 : ends[i - 1];
    return ends[i] - start == to - from && Arrays.equals(bytes, start, ends[i], body, from, to);
  }

  /** The entry with these bytes, or -1. */
  private int lookup(int hash, byte[] body, int from, int to) {
    if (count == 0) {
      return -1;
    }
    int mask = index.length - 1;
    for (int slot = spread(hash) & mask; index[slot] != 0; slot = (slot + 1) & mask) {
      int entry = index[slot] - 1;
      if (hashes[entry] == hash && matches(entry, body, from, to)) {
        return entry;
      }
    }
    return -1;
  }

  private void insert(int hash, int entry) {
    int mask = index.length - 1;
    int slot = spread(hash) & mask;
    while (index[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    index[slot] = entry + 1;
  }

  /**
   * Room for one more entry of {@code length} bytes, the arrays grown by half (or, near this
   * sender's share of the budget, by an eighth) as far as the budget allows; false if none.
   */
  private boolean ensureRoom(int length) {
    boolean bytesFit = used + length <= bytes.length;
    boolean entriesFit = count < ends.length;
    if (bytesFit && entriesFit) {
      return true;
    }
    for (int eighths : new int[] {12, 9}) {
      int entries = entriesFit ? ends.length : Math.max(64, (int) Math.min(MAX_ENTRIES, ends.length * (long) eighths / 8));
      long byteCapacity = bytesFit ? bytes.length : Math.max(used + (long) length,
          Math.max(4096, bytes.length * (long) eighths / 8));
      // Slots for at most three quarters full: probes end soon.
      int slots = Integer.highestOneBit(Math.max(1, entries * 4 / 3)) << 1;
      long size = byteCapacity + entries * 12L + slots * 4L;
      if (byteCapacity <= MAX_BYTES && size <= budget.perSender && budget.take(size - reserved)) {
        resize((int) byteCapacity, entries, slots);
        reserved = size;
        return true;
      }
    }
    return false;
  }

  private void resize(int byteCapacity, int entries, int slots) {
    bytes = Arrays.copyOf(bytes, byteCapacity);
    if (entries != ends.length) {
      ends = Arrays.copyOf(ends, entries);
      series = Arrays.copyOf(series, entries);
      hashes = Arrays.copyOf(hashes, entries);
    }
    if (slots != index.length) {
      index = new int[slots];
      for (int i = 0; i < count; i++) {
        insert(hashes[i], i);
      }
    }
  }

  private static int hash(byte[] body, int from, int to) {
    int h = 1;
    for (int i = from; i < to; i++) {
      h = 31 * h + body[i];
    }
    return h;
  }

  private static int spread(int hash) {
    int h = hash * 0x9E3779B1;
    return h ^ (h >>> 16);
  }

  /** Bytes all senders of one receiver may hold together, and each at most. */
  static final class Budget {
    private final long limit;
    private final long perSender;
    private final AtomicLong held = new AtomicLong();

    Budget(long limit, long perSender) {
      this.limit = limit;
      this.perSender = perSender;
    }

    /** Takes {@code bytes} (≥ 0); false, taking nothing, when that would pass the limit. */
    boolean take(long bytes) {
      while (true) {
        long current = held.get();
        if (current + bytes > limit) {
          return false;
        }
        if (held.compareAndSet(current, current + bytes)) {
          return true;
        }
      }
    }

    void give(long bytes) {
      held.addAndGet(-bytes);
    }

    long held() {
      return held.get();
    }
  }
}
