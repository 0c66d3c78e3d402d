package io.tocsin.store;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An immutable set of label pairs, sorted by key, with keys unique.
 *
 * <p>Labels identify a series within a metric, and later a group within a query result. They are
 * compared by value. The hash is the sum of {@link #pairHash} over the pairs: it does not depend
 * on order, so ingest can compute it from attributes as they arrive on the wire (see {@link
 * LabelsProbe}) without sorting or building strings.
 */
public abstract sealed class Labels implements Comparable<Labels> permits Labels.Hashed, Chunk.Head {
  public static final Labels EMPTY = new Hashed(new String[0], new String[0], 0, 1, 0);

  /**
   * Keys sorted and unique, apart from the values: a {@code String[]}, or in a series of the
   * store (which is its own labels, see {@link Series}) a {@link KeySet} holding one. The series of
   * a metric mostly have the same keys and share one key set ({@link #sharedKeys}), which also
   * names the metric's family: a series finds its family through it, which makes it 8 bytes
   * smaller than a field of its own did.
   */
  private final Object keySet;
  /**
   * The values in the keys' order, in fields: with more than {@link #INLINE}, {@link #v3} holds
   * an array of the fourth and later ones. A store holds a million labels, most of a few pairs; an
   * array of their values cost 16 bytes of header and a reference besides the values, a third of
   * the labels' size. Each is a {@link LabelValue}: a string, or in a series of the store ({@link
   * Family#create}) the ASCII bytes of a value no other series held when it was stored, another
   * series that packed the value, or {@link #IN_WORD} for the one such value the series packs
   * into a word of its own ({@link PackedValue}).
   */
  private final Object v0;
  private final Object v1;
  private final Object v2;
  private final Object v3;

  /**
   * Values held in fields of their own: four fill a plain labels object to 32 bytes, and a
   * series (which is its own labels) to 64, with no padding.
   */
  private static final int INLINE = 4;

  /**
   * In a value's field: the value is the one the series packs ({@link PackedValue}; but for a
   * suffixed one, whose field holds the value's start). Never leaves the store's classes.
   */
  static final Object IN_WORD = new Object();

  /** With value {@code i} at {@code source[offset + i * stride]}: pairs or values, without copying them first. */
  Labels(Object keySet, Object[] source, int offset, int stride) {
    this.keySet = keySet;
    int n = names(keySet).length;
    this.v0 = n > 0 ? source[offset] : null;
    this.v1 = n > 1 ? source[offset + stride] : null;
    this.v2 = n > 2 ? source[offset + 2 * stride] : null;
    if (n > INLINE) {
      Object[] rest = new Object[n - INLINE + 1];
      for (int i = INLINE - 1; i < n; i++) {
        rest[i - INLINE + 1] = source[offset + i * stride];
      }
      this.v3 = rest;
    } else {
      this.v3 = n > 3 ? source[offset + 3 * stride] : null;
    }
  }

  /**
   * Labels that keep their hash: all but the store's series. Labels that key hash maps (groups,
   * query results, alerts) are hashed often; a series' labels are hashed when the series is added
   * or removed (its table keeps the hashes), and a million series are 8 bytes smaller without the
   * field.
   */
  static final class Hashed extends Labels {
    private final int hash;

    /** From alternating key, value; sorted by key; keys unique. */
    static Hashed ofPairs(String[] pairs) {
      String[] keys = keysOf(pairs);
      return new Hashed(keys, pairs, 1, 2, hash(keys, pairs, 1, 2));
    }

    Hashed(Object keySet, Object[] source, int offset, int stride, int hash) {
      super(keySet, source, offset, stride);
      this.hash = hash;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * The keys of the store's series, shared by those of a metric that have the same keys, with
   * what the store keeps for that metric ({@link #owner}).
   */
  static final class KeySet {
    final String[] names;
    final Object owner;

    KeySet(String[] names, Object owner) {
      this.names = names;
      this.owner = owner;
    }
  }

  private static String[] names(Object keySet) {
    return keySet instanceof String[] names ? names : ((KeySet) keySet).names;
  }

  final String[] keys() {
    return names(keySet);
  }

  /** The owner of the {@link KeySet} these labels share, or null. */
  final Object owner() {
    return keySet instanceof KeySet k ? k.owner : null;
  }

  private static String[] keysOf(String[] pairs) {
    String[] keys = new String[pairs.length / 2];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = pairs[2 * i];
    }
    return keys;
  }

  private static int hash(String[] keys, Object[] source, int offset, int stride) {
    int h = 0;
    for (int i = 0; i < keys.length; i++) {
      h += pairHash(keys[i].hashCode(), LabelValue.hash(source[offset + i * stride]));
    }
    return h;
  }

  /**
   * The values as {@link LabelValue}s, in an array, for building other labels from these: as the
   * fields hold them, but a value a series packs, which is the series itself.
   */
  final Object[] values() {
    Object[] values = new Object[keys().length];
    for (int i = 0; i < values.length; i++) {
      values[i] = raw(i);
    }
    return values;
  }

  /**
   * The hash of one pair from its key's and value's {@link String#hashCode}, well mixed so that
   * sums over different sets rarely collide.
   */
  public static int pairHash(int keyHash, int valueHash) {
    int h = keyHash * 0x9E3779B1 + valueHash;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }

  /** Labels from alternating keys and values; a later duplicate key wins. */
  public static Labels of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("labels need key, value pairs; got an odd count");
    }
    Builder builder = builder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      builder.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return builder.build();
  }

  public static Labels of(Map<String, String> map) {
    Builder builder = builder();
    map.forEach(builder::put);
    return builder.build();
  }

  /**
   * Labels from alternating keys and values already sorted by key, as {@link #key}/{@link
   * #value} list them: a snapshot restores a million series and skips the sort.
   *
   * @throws IllegalArgumentException when the keys are not strictly increasing
   */
  static Labels ofSortedPairs(String[] pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException("labels need key, value pairs; got an odd count");
    }
    for (int i = 2; i < pairs.length; i += 2) {
      if (pairs[i - 2].compareTo(pairs[i]) >= 0) {
        throw new IllegalArgumentException("label keys out of order: " + pairs[i - 2] + ", " + pairs[i]);
      }
    }
    return pairs.length == 0 ? EMPTY : Hashed.ofPairs(pairs);
  }

  /** @throws IllegalArgumentException when {@code keys} are not strictly increasing */
  static void checkSorted(String[] keys) {
    for (int i = 1; i < keys.length; i++) {
      if (keys[i - 1].compareTo(keys[i]) >= 0) {
        throw new IllegalArgumentException("label keys out of order: " + keys[i - 1] + ", " + keys[i]);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public int size() {
    return keys().length;
  }

  public boolean isEmpty() {
    return keys().length == 0;
  }

  public String key(int index) {
    return keys()[index];
  }

  /**
   * Whether {@code other} has the same keys as these labels, known without comparing them: both
   * share one key set, as the series of a metric with the same keys do. False says nothing.
   */
  public boolean sharesKeysWith(Labels other) {
    return keySet == other.keySet;
  }

  /**
   * The value at {@code index}. A stored series may hold it as bytes, and then this builds a
   * string: comparisons in loops over series use {@link #valueEquals}, {@link #valueHash} and
   * {@link #valueEqualsAscii} instead.
   */
  public String value(int index) {
    return LabelValue.string(raw(index));
  }

  /** The value at {@code index} as a {@link LabelValue}: a packed one is the series itself. */
  private Object raw(int index) {
    Object v = held(index);
    return v == IN_WORD || this instanceof Series s && s.packsSuffixed(index) ? this : v;
  }

  /**
   * The value at {@code index} as its field holds it: a {@link LabelValue}, {@link #IN_WORD}, or
   * the start of a suffixed {@link PackedValue}.
   */
  final Object held(int index) {
    int n = keys().length;
    if (index >= n) {
      throw new ArrayIndexOutOfBoundsException("index " + index + " of " + n + " labels");
    }
    return switch (index) {
      case 0 -> v0;
      case 1 -> v1;
      case 2 -> v2;
      case 3 -> n > INLINE ? ((Object[]) v3)[0] : v3;
      default -> ((Object[]) v3)[index - INLINE + 1];
    };
  }

  /** {@link String#hashCode} of the value at {@code index}, without building it. */
  public int valueHash(int index) {
    return LabelValue.hash(raw(index));
  }

  /** Whether the value at {@code index} equals {@code s}. */
  public boolean valueEquals(int index, String s) {
    return LabelValue.equalsString(raw(index), s);
  }

  /** Whether the value at {@code index} equals the value of {@code other} at {@code otherIndex}. */
  public boolean valueEquals(int index, Labels other, int otherIndex) {
    return LabelValue.equal(raw(index), other.raw(otherIndex));
  }

  /**
   * Whether the value at {@code index} is {@code bytes[offset, offset + length)} read as one char
   * per byte: for ASCII bytes, whether they are the value (a byte outside ASCII never matches).
   */
  public boolean valueEqualsAscii(int index, byte[] bytes, int offset, int length) {
    return LabelValue.equalsAscii(raw(index), bytes, offset, length);
  }

  /** The index of {@code key}, or -1 when absent. */
  public int indexOf(String key) {
    String[] keys = keys();
    int lo = 0;
    int hi = keys.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      String k = keys[mid];
      int cmp = k == key ? 0 : k.compareTo(key);
      if (cmp == 0) {
        return mid;
      }
      if (cmp < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  /** The value for {@code key}, or null when absent. */
  public String get(String key) {
    int index = indexOf(key);
    return index < 0 ? null : value(index);
  }

  public boolean has(String key) {
    return indexOf(key) >= 0;
  }

  public void forEach(BiConsumer<String, String> action) {
    String[] keys = keys();
    for (int i = 0; i < keys.length; i++) {
      action.accept(keys[i], value(i));
    }
  }

  /** Only the labels whose key is in {@code keys}: the group of a series under {@code group by}. */
  public Labels keep(Collection<String> keys) {
    Builder builder = builder();
    String[] names = keys();
    for (int i = 0; i < names.length; i++) {
      if (keys.contains(names[i])) {
        builder.put(names[i], value(i));
      }
    }
    return builder.build();
  }

  /**
   * The same labels holding canonical copies of their strings. Label strings repeat across many
   * series (every series of a host shares its host name), so long-lived labels keep one copy of
   * each value that repeats ({@link LabelStrings}) and of each key (the JVM's, as keys are few);
   * identical canonical strings also compare by reference.
   */
  public Labels interned() {
    Object[] canonicalValues = values();
    for (int i = 0; i < canonicalValues.length; i++) {
      canonicalValues[i] = LabelStrings.canonical(LabelValue.string(canonicalValues[i]));
    }
    return new Hashed(internedKeys(keys()), canonicalValues, 0, 1, hashCode());
  }

  /**
   * The key set of {@code keys} from {@code keySets} when it holds an equal one of {@code owner}
   * (adding a new one of {@code owner} to it otherwise, while it has fewer than {@link
   * #MAX_KEY_SETS}): the store keeps one such map per metric, so that its series share their
   * keys arrays. Callers serialise the use of {@code keySets}.
   */
  static KeySet sharedKeys(String[] keys, Map<List<String>, KeySet> keySets, Object owner) {
    KeySet shared = keySets.get(Arrays.asList(keys));
    if (shared == null || shared.owner != owner) {
      shared = new KeySet(internedKeys(keys), owner);
      if (keySets.size() < MAX_KEY_SETS) {
        keySets.put(Arrays.asList(shared.names), shared);
      }
    }
    return shared;
  }

  private static String[] internedKeys(String[] keys) {
    String[] canonicalKeys = new String[keys.length];
    for (int i = 0; i < keys.length; i++) {
      canonicalKeys[i] = keys[i].intern();
    }
    return canonicalKeys;
  }

  /** Bounds a metric's map of shared keys arrays: a metric rarely has more than a few key sets. */
  static final int MAX_KEY_SETS = 256;

  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    forEach(map::put);
    return Collections.unmodifiableMap(map);
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Labels other) || this instanceof Hashed a && other instanceof Hashed b && a.hash != b.hash) {
      return false;
    }
    return (keySet == other.keySet || Arrays.equals(keys(), other.keys())) && sameValues(other);
  }

  /** With the same keys: whether the values are equal, whatever form each is held in. */
  private boolean sameValues(Labels other) {
    for (int i = 0, n = size(); i < n; i++) {
      if (!valueEquals(i, other, i)) {
        return false;
      }
    }
    return true;
  }

  /** The sum of {@link #pairHash} over the pairs; {@link Hashed} labels keep it. */
  @Override
  public int hashCode() {
    String[] keys = keys();
    int h = 0;
    for (int i = 0; i < keys.length; i++) {
      h += pairHash(keys[i].hashCode(), valueHash(i));
    }
    return h;
  }

  @Override
  public int compareTo(Labels other) {
    String[] keys = keys();
    String[] otherKeys = other.keys();
    int n = Math.min(keys.length, otherKeys.length);
    for (int i = 0; i < n; i++) {
      // One string when both came from the store's labels.
      int cmp = keys[i] == otherKeys[i] ? 0 : keys[i].compareTo(otherKeys[i]);
      if (cmp == 0) {
        cmp = LabelValue.compare(raw(i), other.raw(i));
      }
      if (cmp != 0) {
        return cmp;
      }
    }
    return Integer.compare(keys.length, otherKeys.length);
  }

  /** Prometheus notation: {@code {a="1", b="2"}}. */
  @Override
  public String toString() {
    String[] keys = keys();
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < keys.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(keys[i]).append("=\"");
      String value = value(i);
      for (int c = 0; c < value.length(); c++) {
        char ch = value.charAt(c);
        switch (ch) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          default -> sb.append(ch);
        }
      }
      sb.append('"');
    }
    return sb.append('}').toString();
  }

  /**
   * Collects pairs in any order; {@link #put} of an existing key replaces its value. Building
   * costs n log n: pairs are appended as they come, then sorted by key stably, so that the last
   * of equal keys is the one put last, and the others are dropped.
   */
  public static final class Builder {
    /** Up to this many pairs an insertion sort beats sorting an index. */
    private static final int INSERTION_SORT_PAIRS = 32;

    private String[] pairs = new String[16];
    private int size;

    private Builder() {}

    public Builder put(String key, String value) {
      if (key == null || value == null) {
        throw new IllegalArgumentException("label key and value must not be null");
      }
      if (size == pairs.length) {
        pairs = Arrays.copyOf(pairs, size * 2);
      }
      pairs[size++] = key;
      pairs[size++] = value;
      return this;
    }

    public Builder putAll(Labels labels) {
      labels.forEach(this::put);
      return this;
    }

    public Labels build() {
      if (size == 0) {
        return EMPTY;
      }
      String[] sorted = size / 2 <= INSERTION_SORT_PAIRS ? insertionSorted() : indexSorted();
      // Equal keys are adjacent, in the order they were put: keep the last of each run.
      int kept = 0;
      for (int i = 0; i < sorted.length; i += 2) {
        if (i + 2 < sorted.length && sorted[i + 2].equals(sorted[i])) {
          continue;
        }
        sorted[kept++] = sorted[i];
        sorted[kept++] = sorted[i + 1];
      }
      return Hashed.ofPairs(kept == sorted.length ? sorted : Arrays.copyOf(sorted, kept));
    }

    /** Stable insertion sort by key: the pairs must move together. */
    private String[] insertionSorted() {
      String[] sorted = Arrays.copyOf(pairs, size);
      for (int i = 2; i < sorted.length; i += 2) {
        String key = sorted[i];
        String value = sorted[i + 1];
        int j = i - 2;
        while (j >= 0 && sorted[j].compareTo(key) > 0) {
          sorted[j + 2] = sorted[j];
          sorted[j + 3] = sorted[j + 1];
          j -= 2;
        }
        sorted[j + 2] = key;
        sorted[j + 3] = value;
      }
      return sorted;
    }

    /** Stable sort of the pair indexes by key (Arrays.sort on objects is a stable merge sort). */
    private String[] indexSorted() {
      Integer[] order = new Integer[size / 2];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> pairs[a * 2].compareTo(pairs[b * 2]));
      String[] sorted = new String[size];
      for (int i = 0; i < order.length; i++) {
        sorted[i * 2] = pairs[order[i] * 2];
        sorted[i * 2 + 1] = pairs[order[i] * 2 + 1];
      }
      return sorted;
    }
  }
}
