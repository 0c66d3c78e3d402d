package io.tocsin.store.wal;

import io.tocsin.store.Series;
import java.util.List;

/**
 * The series a replay appends to, by id, and which of them the log has touched. Replay looks a
 * series up once per record, millions of times, in a table far larger than the caches, so the
 * look-up is most of its cost after the appending itself:
 * <ul>
 *   <li>The ids of the series a snapshot brought back are dense (the store numbers series as it
 *       creates them), and the log names them in about the order they were made (each sender's
 *       series, request after request): those ids index an array directly ({@link #dense}), whose
 *       slots the replay then reads in order, as it reads the series objects, made in that order.
 *   <li>Other ids (series the log defines) are in an open-addressing table over an array of
 *       series, each of which holds its own id: one cache miss per look-up where a {@link LongMap}
 *       takes two (its key, then its value).
 * </ul>
 * The marks replace a second map of the series not touched yet, which cost a removal and an
 * insertion per series. No removal; not thread-safe.
 */
final class SeriesById {
  /** The id of {@code dense[0]}. */
  private final long first;
  private final Series[] dense;
  private final boolean[] denseTouched;
  private Series[] slots;
  private boolean[] touched;
  /** How many series {@link #slots} holds. */
  private int hashed;
  private int size;
  private int touchedCount;

  /**
   * A table that holds {@code expected} series without growing, ids {@code first} to {@code last}
   * in an array (none when {@code last < first}).
   */
  SeriesById(int expected, long first, long last) {
    int range = last < first ? 0 : (int) Math.min(Integer.MAX_VALUE - 8, last - first + 1);
    this.first = first;
    this.dense = new Series[range];
    this.denseTouched = new boolean[range];
    int capacity = 16;
    while (range == 0 && capacity * 3L < expected * 4L) {
      capacity <<= 1;
    }
    slots = new Series[capacity];
    touched = new boolean[capacity];
  }

  /**
   * A table for {@code series}, added untouched: their ids in an array when it takes at most two
   * slots per series, else all hashed.
   */
  static SeriesById of(List<Series> series) {
    int count = series.size();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (Series s : series) {
      min = Math.min(min, s.id());
      max = Math.max(max, s.id());
    }
    boolean dense = count > 0 && max - min < 2L * count;
    SeriesById table = dense ? new SeriesById(count, min, max) : new SeriesById(count, 1, 0);
    for (Series s : series) {
      table.add(s, false);
    }
    return table;
  }

  /** The series of {@code id}, or null. */
  Series get(long id) {
    long d = id - first;
    if (d >= 0 && d < dense.length) {
      return dense[(int) d];
    }
    int i = find(id);
    return i < 0 ? null : slots[i];
  }

  /** The series of {@code id}, now marked touched; null when there is none. */
  Series touch(long id) {
    long d = id - first;
    if (d >= 0 && d < dense.length) {
      Series s = dense[(int) d];
      if (s != null && !denseTouched[(int) d]) {
        denseTouched[(int) d] = true;
        touchedCount++;
      }
      return s;
    }
    int i = find(id);
    if (i < 0) {
      return null;
    }
    if (!touched[i]) {
      touched[i] = true;
      touchedCount++;
    }
    return slots[i];
  }

  /** Adds {@code series}, whose id is not in the table yet; {@code touch}: marked touched. */
  void add(Series series, boolean touch) {
    long id = series.id();
    long d = id - first;
    if (d >= 0 && d < dense.length) {
      if (dense[(int) d] != null) {
        throw new IllegalArgumentException("series id " + id + " is in the table already");
      }
      dense[(int) d] = series;
      denseTouched[(int) d] = touch;
    } else {
      int mask = slots.length - 1;
      int i = LongMap.slot(id, mask);
      while (slots[i] != null) {
        if (slots[i].id() == id) {
          throw new IllegalArgumentException("series id " + id + " is in the table already");
        }
        i = (i + 1) & mask;
      }
      slots[i] = series;
      touched[i] = touch;
      if (++hashed * 4L > slots.length * 3L) {
        grow();
      }
    }
    size++;
    if (touch) {
      touchedCount++;
    }
  }

  int size() {
    return size;
  }

  /** How many series were added touched or {@link #touch touched} since. */
  int touchedCount() {
    return touchedCount;
  }

  /** The slot of {@code id} in the hashed table, or -1. */
  private int find(long id) {
    int mask = slots.length - 1;
    for (int i = LongMap.slot(id, mask); ; i = (i + 1) & mask) {
      Series s = slots[i];
      if (s == null) {
        return -1;
      }
      if (s.id() == id) {
        return i;
      }
    }
  }

  private void grow() {
    Series[] oldSlots = slots;
    boolean[] oldTouched = touched;
    slots = new Series[oldSlots.length * 2];
    touched = new boolean[oldSlots.length * 2];
    int mask = slots.length - 1;
    for (int j = 0; j < oldSlots.length; j++) {
      if (oldSlots[j] != null) {
        int i = LongMap.slot(oldSlots[j].id(), mask);
        while (slots[i] != null) {
          i = (i + 1) & mask;
        }
        slots[i] = oldSlots[j];
        touched[i] = oldTouched[j];
      }
    }
  }
}
