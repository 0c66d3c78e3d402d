package io.tocsin.store.wal;

/**
 * A map from {@code long} keys to values: open addressing with linear probing over parallel key
 * and value arrays. Replay looks a series up by its id once per record, millions of times; a
 * {@code HashMap<Long, V>} boxes the id on every look-up and holds a 32-byte node plus a 24-byte
 * {@code Long} per entry, this holds 12 bytes of arrays per slot and allocates nothing to look up.
 *
 * <p>Removal shifts the entries after the hole back (no tombstones), so probes stay short after
 * many removals. Not thread-safe; null values are not allowed (null means absent).
 */
final class LongMap<V> {
  private static final int MIN_CAPACITY = 16;

  private long[] keys;
  private Object[] values;
  private int size;

  LongMap() {
    this(0);
  }

  /** A map that holds {@code expected} entries without growing. */
  LongMap(int expected) {
    int capacity = MIN_CAPACITY;
    while (capacity * 3L < expected * 4L) {
      capacity <<= 1;
    }
    keys = new long[capacity];
    values = new Object[capacity];
  }

  int size() {
    return size;
  }

  boolean containsKey(long key) {
    return get(key) != null;
  }

  @SuppressWarnings("unchecked")
  V get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return null;
      }
      if (keys[i] == key) {
        return (V) v;
      }
    }
  }

  /** Maps {@code key} to {@code value}, which is not null; returns the value it replaced or null. */
  @SuppressWarnings("unchecked")
  V put(long key, V value) {
    if (value == null) {
      throw new NullPointerException("a LongMap holds no null values");
    }
    int mask = keys.length - 1;
    int i = slot(key, mask);
    for (; values[i] != null; i = (i + 1) & mask) {
      if (keys[i] == key) {
        V old = (V) values[i];
        values[i] = value;
        return old;
      }
    }
    keys[i] = key;
    values[i] = value;
    if (++size * 4L > keys.length * 3L) {
      grow();
    }
    return null;
  }

  /** Removes {@code key}; returns its value, or null when it was absent. */
  @SuppressWarnings("unchecked")
  V remove(long key) {
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (true) {
      if (values[i] == null) {
        return null;
      }
      if (keys[i] == key) {
        break;
      }
      i = (i + 1) & mask;
    }
    V old = (V) values[i];
    // Backward shift: move later entries of the run into the hole when their home slot is not
    // between the hole and them, so that every entry stays reachable from its home slot.
    int hole = i;
    for (int j = (hole + 1) & mask; values[j] != null; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = null;
    size--;
    return old;
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldValues[j] != null) {
        int i = slot(oldKeys[j], mask);
        while (values[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        values[i] = oldValues[j];
      }
    }
  }

  /** Series ids are sequential: a multiplicative hash spreads them over the table's high bits. */
  static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

}
