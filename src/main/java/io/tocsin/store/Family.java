package io.tocsin.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every series of one metric shares, and what makes them: the store keeps one per metric.
 * A series finds its family through the key set of its labels ({@link Labels.KeySet#owner}).
 */
final class Family {
  final String metric;
  final MetricKind kind;
  final long maxChunkSpanMs;
  /** Where changes are reported; set once recovery ends, before any writer runs. */
  volatile AppendLog log;
  /** The words of this metric's head chunks. */
  final HeadPages pages = new HeadPages();
  /** The key sets this metric's series share (see {@link Labels#sharedKeys}), which name this family. */
  private final Map<List<String>, Labels.KeySet> keySets = new HashMap<>();
  /**
   * The key set the series restored last took. A metric's series nearly all have the same keys,
   * and comparing them with these is cheaper than the map's look-up, which hashes and compares
   * the keys through list views and iterators made for each series.
   */
  private Labels.KeySet lastRestoredKeys;

  Family(String metric, MetricKind kind, long maxChunkSpanMs, AppendLog log) {
    this.metric = metric;
    this.kind = kind;
    this.maxChunkSpanMs = maxChunkSpanMs;
    this.log = log;
  }

  /**
   * A new series of this family with {@code labels}, kept as {@link #stored} keeps them, with a
   * key set of this family.
   */
  Series create(long id, Labels labels) {
    Labels.KeySet keySet;
    synchronized (this) {
      keySet = Labels.sharedKeys(labels.keys(), keySets, this);
    }
    return stored(id, keySet, labels.values());
  }

  /**
   * A series a snapshot restores, from keys sorted and unique and their values, with a key set
   * of this family at once rather than in a copy.
   *
   * @throws IllegalArgumentException when the keys are not strictly increasing
   */
  Series restored(long id, String[] keys, Object[] values) {
    Labels.checkSorted(keys);
    Labels.KeySet keySet;
    synchronized (this) {
      keySet = lastRestoredKeys;
      if (keySet == null || !Arrays.equals(keySet.names, keys)) {
        keySet = Labels.sharedKeys(keys, keySets, this);
        lastRestoredKeys = keySet;
      }
    }
    return stored(id, keySet, values);
  }

  /**
   * A series with {@code keySet} (of this family) and {@code values} as the store keeps them
   * (changed in place): a string value is replaced with the equal value {@link LabelStrings}
   * holds; of those it holds none of, the first that {@link PackedValue#fits} is packed into the
   * series' word (one longer than a word only when the table holds its start), and the others
   * are kept as {@link LabelValue#compact} makes them. Values not strings are kept as they are.
   */
  private Series stored(long id, Labels.KeySet keySet, Object[] values) {
    String packed = null;
    long word = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i] instanceof String s) {
        Object held = LabelStrings.held(s);
        if (held != null) {
          values[i] = held;
        } else if (packed == null && PackedValue.fits(s) && (word = pack(s, i, values)) != 0) {
          packed = s;
        } else {
          values[i] = LabelValue.compact(s);
          LabelStrings.offer(s, values[i]);
        }
      }
    }
    boolean counter = kind == MetricKind.COUNTER;
    Series series = word == 0
        ? (counter ? new CounterSeries(id, keySet, values) : new Series(id, keySet, values))
        : (counter ? new CounterSeries.Packed(id, keySet, values, word) : new Series.Packed(id, keySet, values, word));
    if (packed != null) {
      LabelStrings.offer(packed, series);
    }
    return series;
  }

  /**
   * The word that packs {@code s} at {@code index} of {@code values}, where it then puts {@link
   * Labels#IN_WORD} or, for a suffixed value, the start it shares; 0 when {@code s} is longer
   * than a word and its start is not held (which it offers to {@link LabelStrings}, for the next).
   */
  private static long pack(String s, int index, Object[] values) {
    if (s.length() <= PackedValue.WORD_CHARS) {
      values[index] = Labels.IN_WORD;
      return PackedValue.word(s);
    }
    if (index > PackedValue.MAX_INDEX) {
      return 0;
    }
    String prefix = PackedValue.prefix(s);
    Object held = LabelStrings.held(prefix);
    if (held == null) {
      LabelStrings.offer(prefix, LabelValue.compact(prefix));
      return 0;
    }
    values[index] = held;
    return PackedValue.suffixed(s, index);
  }
}
