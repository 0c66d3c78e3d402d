package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Labels against a sorted map of their pairs: lookups, equality, hash and order are those of the
 * map whatever the number of pairs (some in fields, the rest in an array), for values of any
 * characters, and survive the store's canonical copies ({@link Labels#interned}) and the store's
 * own form ({@link Family#create}: a value met first held as its ASCII bytes or packed in the
 * series' word ({@link PackedValue}), equal values of other series, of the same metric or another,
 * shared in whatever form the first holds them).
 */
class LabelsPropertiesTest {
  @Property(tries = 300)
  void labelsBehaveLikeTheirSortedPairs(@ForAll("pairs") Map<String, String> a, @ForAll("pairs") Map<String, String> b) {
    TreeMap<String, String> sortedA = new TreeMap<>(a);
    TreeMap<String, String> sortedB = new TreeMap<>(b);
    Labels labelsA = Labels.of(a);
    Labels labelsB = Labels.of(b);

    assertThat(labelsA.asMap()).containsExactlyEntriesOf(sortedA);
    assertThat(labelsA.size()).isEqualTo(sortedA.size());
    List<String> keys = new ArrayList<>(sortedA.keySet());
    for (int i = 0; i < keys.size(); i++) {
      assertThat(labelsA.key(i)).isEqualTo(keys.get(i));
      assertThat(labelsA.value(i)).isEqualTo(sortedA.get(keys.get(i)));
    }
    for (String key : sortedB.keySet()) {
      assertThat(labelsA.get(key)).isEqualTo(sortedA.get(key));
    }
    assertThat(labelsA.equals(labelsB)).isEqualTo(sortedA.equals(sortedB));
    assertThat(Integer.signum(labelsA.compareTo(labelsB))).isEqualTo(Integer.signum(compare(sortedA, sortedB)));
    Labels copy = Labels.of(new HashMap<>(a)).interned();
    assertThat(copy).isEqualTo(labelsA).hasSameHashCodeAs(labelsA).hasToString(labelsA.toString());
    assertThat(copy.compareTo(labelsA)).isZero();
    assertThat(labelsA.keep(sortedB.keySet()).asMap()).isEqualTo(kept(sortedA, sortedB));
  }

  @Property(tries = 300)
  void storedLabelsBehaveLikeTheirSortedPairs(@ForAll("pairs") Map<String, String> a,
      @ForAll("pairs") Map<String, String> b) {
    TreeMap<String, String> sortedA = new TreeMap<>(a);
    TreeMap<String, String> sortedB = new TreeMap<>(b);
    Labels plainA = Labels.of(a);
    Labels plainB = Labels.of(b);
    // Two series each: the first holds values met first as bytes, the second shares them.
    Labels storedA = StoredSeries.of(copy(a));
    Labels storedB = StoredSeries.of(copy(b));
    Labels storedA2 = StoredSeries.of(copy(a));

    // A series made from a series: its values shared in the form the first holds them.
    Labels sharingKeys = StoredSeries.of(storedA);
    for (Labels labels : List.of(storedA, storedA2, sharingKeys)) {
      assertThat(labels.asMap()).containsExactlyEntriesOf(sortedA);
      assertThat(labels).isEqualTo(plainA).hasSameHashCodeAs(plainA).hasToString(plainA.toString());
      assertThat(plainA).isEqualTo(labels);
      assertThat(labels.compareTo(plainA)).isZero();
      assertThat(Integer.signum(labels.compareTo(storedB))).isEqualTo(Integer.signum(compare(sortedA, sortedB)));
      assertThat(Integer.signum(plainB.compareTo(labels))).isEqualTo(Integer.signum(compare(sortedB, sortedA)));
      assertThat(labels.equals(storedB)).isEqualTo(sortedA.equals(sortedB));
      assertThat(labels.equals(plainB)).isEqualTo(sortedA.equals(sortedB));
      assertThat(labels.keep(sortedB.keySet()).asMap()).isEqualTo(kept(sortedA, sortedB));
    }
    List<String> keys = new ArrayList<>(sortedA.keySet());
    for (int i = 0; i < keys.size(); i++) {
      String value = sortedA.get(keys.get(i));
      assertThat(storedA.indexOf(keys.get(i))).isEqualTo(i);
      assertThat(storedA.value(i)).isEqualTo(value);
      assertThat(storedA.valueHash(i)).isEqualTo(value.hashCode());
      assertThat(storedA.valueEquals(i, value)).isTrue();
      assertThat(storedA.valueEquals(i, storedA2, i)).isTrue();
      assertThat(storedA.valueEquals(i, plainA, i)).isTrue();
      assertThat(plainA.valueEquals(i, storedA, i)).isTrue();
      byte[] utf8 = ("<" + value + ">").getBytes(StandardCharsets.UTF_8);
      boolean ascii = value.chars().allMatch(c -> c < 0x80);
      assertThat(storedA.valueEqualsAscii(i, utf8, 1, utf8.length - 2)).isEqualTo(ascii);
      for (int j = 0; j < keys.size(); j++) {
        String other = sortedA.get(keys.get(j));
        assertThat(storedA.valueEquals(i, other)).isEqualTo(value.equals(other));
        assertThat(storedA.valueEquals(i, storedA2, j)).isEqualTo(value.equals(other));
        byte[] otherUtf8 = other.getBytes(StandardCharsets.UTF_8);
        assertThat(storedA.valueEqualsAscii(i, otherUtf8, 0, otherUtf8.length)).isEqualTo(ascii && value.equals(other));
      }
    }
    for (String key : sortedB.keySet()) {
      assertThat(storedA.get(key)).isEqualTo(sortedA.get(key));
      assertThat(storedA.has(key)).isEqualTo(sortedA.containsKey(key));
      assertThat(storedA.indexOf(key) >= 0).isEqualTo(sortedA.containsKey(key));
    }
  }

  /**
   * Another metric's series with the same values under other keys shares each value in the form
   * the first series holds it (a string, bytes, or the packed value where it lies, in those first
   * labels), and compares like a plain copy with every form of the other values.
   */
  @Property(tries = 300)
  void storedLabelsOfAnotherMetricShareValuesInAnyForm(@ForAll("pairs") Map<String, String> a,
      @ForAll("pairs") Map<String, String> b) {
    Labels storedA = StoredSeries.of(copy(a));
    Labels storedB = StoredSeries.of(copy(b));
    Labels otherA = StoredSeries.of(copy(rekeyed(a)));
    Labels otherB = StoredSeries.of(copy(rekeyed(b)));
    Labels plainA = Labels.of(rekeyed(a));
    Labels plainB = Labels.of(rekeyed(b));
    TreeMap<String, String> sortedA = new TreeMap<>(rekeyed(a));
    TreeMap<String, String> sortedB = new TreeMap<>(rekeyed(b));

    assertThat(otherA.asMap()).containsExactlyEntriesOf(sortedA);
    assertThat(otherA).isEqualTo(plainA).hasSameHashCodeAs(plainA).hasToString(plainA.toString());
    assertThat(otherA.compareTo(plainA)).isZero();
    assertThat(otherA.equals(otherB)).isEqualTo(sortedA.equals(sortedB));
    assertThat(Integer.signum(otherA.compareTo(otherB))).isEqualTo(Integer.signum(compare(sortedA, sortedB)));
    assertThat(Integer.signum(otherA.compareTo(plainB))).isEqualTo(Integer.signum(compare(sortedA, sortedB)));
    List<String> values = new ArrayList<>(new TreeMap<>(a).values());
    List<String> valuesB = new ArrayList<>(new TreeMap<>(b).values());
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      assertThat(otherA.value(i)).isEqualTo(value);
      assertThat(otherA.valueHash(i)).isEqualTo(value.hashCode());
      assertThat(otherA.valueEquals(i, storedA, i)).isTrue();
      assertThat(storedA.valueEquals(i, otherA, i)).isTrue();
      for (int j = 0; j < valuesB.size(); j++) {
        boolean equal = value.equals(valuesB.get(j));
        assertThat(otherA.valueEquals(i, storedB, j)).isEqualTo(equal);
        assertThat(storedB.valueEquals(j, otherA, i)).isEqualTo(equal);
        assertThat(otherA.valueEquals(i, otherB, j)).isEqualTo(equal);
        assertThat(otherA.valueEquals(i, valuesB.get(j))).isEqualTo(equal);
        byte[] utf8 = valuesB.get(j).getBytes(StandardCharsets.UTF_8);
        boolean ascii = value.chars().allMatch(c -> c < 0x80);
        assertThat(otherA.valueEqualsAscii(i, utf8, 0, utf8.length)).isEqualTo(ascii && equal);
      }
    }
  }

  /**
   * A value packed as a shared start and its last chars ({@link PackedValue}), with the start in
   * each form a value is held in, against the value as bytes and as a string: value,
   * hash, equality (with every form of another value) and order.
   */
  @Property(tries = 500)
  void suffixedValueBehavesLikeItsString(@ForAll("suffixable") String s, @ForAll("suffixable") String t,
      @ForAll("startForms") int form, @ForAll("startForms") int otherForm) {
    Labels.KeySet keys = StoredSeries.keys("k");
    Labels x = suffixed(keys, s, form);
    Labels bytes = new Series(1, keys, new Object[] {LabelValue.compact(s)});
    Labels plain = Labels.of("k", s);
    Labels y = suffixed(keys, t, otherForm);
    Labels yBytes = new Series(1, keys, new Object[] {LabelValue.compact(t)});
    Labels yPlain = Labels.of("k", t);
    boolean equal = s.equals(t);

    assertThat(x.value(0)).isEqualTo(s);
    assertThat(x.valueHash(0)).isEqualTo(s.hashCode());
    assertThat(x).isEqualTo(plain).isEqualTo(bytes).hasSameHashCodeAs(plain).hasToString(plain.toString());
    assertThat(bytes).isEqualTo(x);
    assertThat(plain).isEqualTo(x);
    for (Labels other : List.of(y, yBytes, yPlain)) {
      assertThat(x.equals(other)).isEqualTo(equal);
      assertThat(other.equals(x)).isEqualTo(equal);
      assertThat(x.valueEquals(0, other, 0)).isEqualTo(equal);
      assertThat(other.valueEquals(0, x, 0)).isEqualTo(equal);
      assertThat(Integer.signum(x.compareTo(other))).isEqualTo(Integer.signum(s.compareTo(t)));
      assertThat(Integer.signum(other.compareTo(x))).isEqualTo(Integer.signum(t.compareTo(s)));
    }
    assertThat(x.valueEquals(0, t)).isEqualTo(equal);
    byte[] ascii = ("<" + t + ">").getBytes(StandardCharsets.UTF_8);
    assertThat(x.valueEqualsAscii(0, ascii, 1, ascii.length - 2)).isEqualTo(equal);
    Labels shared = StoredSeries.of(x);
    assertThat(shared).isEqualTo(plain).hasSameHashCodeAs(plain);
  }

  /** Labels of one key whose value {@code s} keeps its start in form 0 (a string), 1 (bytes) or 2 (packed elsewhere). */
  private static Series suffixed(Labels.KeySet keys, String s, int form) {
    String prefix = PackedValue.prefix(s);
    Object start = switch (form) {
      case 0 -> new String(prefix);
      case 1 -> LabelValue.compact(prefix);
      default -> packedElsewhere(prefix);
    };
    return new Series.Packed(1, keys, new Object[] {start}, PackedValue.suffixed(s, 0));
  }

  /** {@code s} as another series packs it: whole in its word when it fits, else suffixed itself. */
  private static Series packedElsewhere(String s) {
    Labels.KeySet other = StoredSeries.keys("other");
    return s.length() <= PackedValue.WORD_CHARS
        ? new Series.Packed(1, other, new Object[] {Labels.IN_WORD}, PackedValue.word(s))
        : new Series.Packed(1, other, new Object[] {new String(PackedValue.prefix(s))},
            PackedValue.suffixed(s, 0));
  }

  @Provide
  Arbitrary<Integer> startForms() {
    return Arbitraries.integers().between(0, 2);
  }

  /** Values a suffixed {@link PackedValue} takes: 9 to 24 ASCII chars, no zero; often a shared start and a number. */
  @Provide
  Arbitrary<String> suffixable() {
    Arbitrary<String> numbered = Arbitraries.integers().between(0, 10_000_000).map(i -> "instance-" + i)
        .filter(v -> v.length() > 8);
    Arbitrary<String> any = Arbitraries.strings().withCharRange('\u0001', '\u007f').ofMinLength(9)
        .ofMaxLength(PackedValue.MAX_LENGTH);
    Arbitrary<String> near = Arbitraries.of("host-000000001", "host-000000002", "host-00000001", "aaaaaaaaaaaaaaaaa");
    return Arbitraries.oneOf(numbered, any, near);
  }

  /** The same values under keys of another metric's series, in the same order. */
  private static Map<String, String> rekeyed(Map<String, String> pairs) {
    Map<String, String> rekeyed = new HashMap<>();
    pairs.forEach((k, v) -> rekeyed.put("m." + k, v));
    return rekeyed;
  }

  /** Labels with new strings: none the same instance as those of other labels. */
  private static Labels copy(Map<String, String> pairs) {
    Labels.Builder builder = Labels.builder();
    pairs.forEach((k, v) -> builder.put(new String(k), new String(v)));
    return builder.build();
  }

  /** Pair by pair, key then value, and a set that runs out first comes first. */
  private static int compare(TreeMap<String, String> a, TreeMap<String, String> b) {
    var ia = a.entrySet().iterator();
    var ib = b.entrySet().iterator();
    while (ia.hasNext() && ib.hasNext()) {
      var ea = ia.next();
      var eb = ib.next();
      int cmp = ea.getKey().compareTo(eb.getKey());
      if (cmp == 0) {
        cmp = ea.getValue().compareTo(eb.getValue());
      }
      if (cmp != 0) {
        return cmp;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private static Map<String, String> kept(TreeMap<String, String> a, TreeMap<String, String> b) {
    Map<String, String> kept = new TreeMap<>(a);
    kept.keySet().retainAll(b.keySet());
    return kept;
  }

  /** Up to nine pairs from few keys and values, so that sets often share pairs or are equal. */
  @Provide
  Arbitrary<Map<String, String>> pairs() {
    Arbitrary<String> keys = Arbitraries.of("a", "b", "host", "instance", "shard", "z", "zone", "é", "k8s.pod");
    Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of("", "1", "2", "x", "ä", "€", "\uD83D\uDE00", "ü-1"),
        Arbitraries.strings().ofMaxLength(6), Arbitraries.strings().ascii().ofMaxLength(12),
        Arbitraries.strings().ascii().ofMinLength(7).ofMaxLength(PackedValue.MAX_LENGTH + 2),
        Arbitraries.integers().between(0, 2_000_000).map(i -> "instance-" + i));
    return Arbitraries.maps(keys, values).ofMaxSize(9);
  }
}
