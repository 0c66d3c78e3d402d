package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.query.ast.Filter;
import io.tocsin.query.ast.Position;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Filters and group lookups over the labels the store keeps, which hold a value met first as its
 * ASCII bytes, against the same over labels of strings: the same answers for ASCII, non-ASCII and
 * empty values, and for equal values of different series; a probe's {@link GroupProbe#sameGroup}
 * as equal group keys.
 */
class StoredLabelsPropertiesTest {
  private static final List<String> KEYS = List.of("host", "instance", "shard", "zone");

  @Property(tries = 200)
  void filtersAndGroups_overStoredLabels_answerAsOverStrings(@ForAll("series") List<Map<String, String>> series,
      @ForAll("values") String filterValue, @ForAll("keys") String attribute) {
    List<Labels> plain = new ArrayList<>();
    List<Labels> stored = new ArrayList<>();
    SeriesStore store = new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(1), 1000, 1000));
    for (Map<String, String> pairs : series) {
      Labels labels = Labels.of(pairs);
      plain.add(labels);
      Labels[] kept = {null};
      store.write("m", MetricKind.GAUGE, Labels.of(copy(pairs)), s -> kept[0] = s.labels());
      stored.add(kept[0]);
    }
    Filter.Literal literal = new Filter.Literal(filterValue, true);
    List<Predicate<Labels>> filters = List.of(
        LabelFilters.compile(new Filter.Compare(attribute, Filter.CompareOp.EQ, literal, Position.UNKNOWN)),
        LabelFilters.compile(new Filter.Compare(attribute, Filter.CompareOp.NE, literal, Position.UNKNOWN)),
        LabelFilters.compile(new Filter.In(attribute, List.of(literal, new Filter.Literal("x", true)), false,
            Position.UNKNOWN)),
        LabelFilters.compile(new Filter.Compare(attribute, Filter.CompareOp.MATCH,
            new Filter.Literal("^" + filterValue.replaceAll("[^A-Za-z0-9]", ".") + "$", true), Position.UNKNOWN)),
        LabelFilters.compile(new Filter.Exists(attribute, false, Position.UNKNOWN)));
    Grouping grouping = new Grouping(List.of(attribute, "zone"));
    GroupProbe probe = new GroupProbe(grouping);
    for (int i = 0; i < plain.size(); i++) {
      assertThat(stored.get(i)).isEqualTo(plain.get(i)).hasSameHashCodeAs(plain.get(i));
      for (Predicate<Labels> filter : filters) {
        assertThat(filter.test(stored.get(i))).isEqualTo(filter.test(plain.get(i)));
      }
      probe.of(stored.get(i));
      assertThat(probe.hashCode()).isEqualTo(grouping.key(plain.get(i)).hashCode());
      assertThat(probe.key()).isEqualTo(grouping.key(plain.get(i)));
      for (int j = 0; j < plain.size(); j++) {
        boolean sameGroup = grouping.key(plain.get(i)).equals(grouping.key(plain.get(j)));
        assertThat(probe.equals(grouping.key(plain.get(j)))).isEqualTo(sameGroup);
        assertThat(probe.equals(grouping.key(stored.get(j)))).isEqualTo(sameGroup);
        assertThat(probe.sameGroup(stored.get(j))).isEqualTo(sameGroup);
        assertThat(probe.sameGroup(plain.get(j))).isEqualTo(sameGroup);
      }
    }
  }

  private static Map<String, String> copy(Map<String, String> pairs) {
    Map<String, String> copy = new HashMap<>();
    pairs.forEach((k, v) -> copy.put(new String(k), new String(v)));
    return copy;
  }

  @Provide
  Arbitrary<List<Map<String, String>>> series() {
    return Arbitraries.maps(keys(), values()).ofMaxSize(4).list().ofMaxSize(8);
  }

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.of(KEYS);
  }

  /**
   * Few values, so that series share them, and new ones of any characters; numbered ids longer
   * than a word, whose shared start the store keeps once (a suffixed {@code PackedValue}).
   */
  @Provide
  Arbitrary<String> values() {
    return Arbitraries.oneOf(Arbitraries.of("", "1", "x", "é", "€", "h-1", "h-2"),
        Arbitraries.strings().ofMaxLength(5), Arbitraries.strings().ascii().ofMaxLength(8),
        Arbitraries.integers().between(0, 40).map(i -> "instance-0000" + i),
        Arbitraries.strings().ascii().ofMinLength(9).ofMaxLength(24));
  }
}
