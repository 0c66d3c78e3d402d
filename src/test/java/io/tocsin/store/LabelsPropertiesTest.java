package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

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
 * characters, and survive the store's canonical copies ({@link Labels#interned}).
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
    Labels copy = Labels.of(new HashMap<>(a)).interned(new HashMap<>());
    assertThat(copy).isEqualTo(labelsA).hasSameHashCodeAs(labelsA).hasToString(labelsA.toString());
    assertThat(copy.compareTo(labelsA)).isZero();
    assertThat(labelsA.keep(sortedB.keySet()).asMap()).isEqualTo(kept(sortedA, sortedB));
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
        Arbitraries.strings().ofMaxLength(6));
    return Arbitraries.maps(keys, values).ofMaxSize(9);
  }
}
