package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LabelsTest {
  @Test
  void of_sortsByKeyAndLaterDuplicateWins() {
    Labels labels = Labels.of("node", "n1", "cluster", "c1", "node", "n2");
    assertThat(labels.toString()).isEqualTo("{cluster=\"c1\", node=\"n2\"}");
    assertThat(labels.size()).isEqualTo(2);
    assertThat(labels.get("node")).isEqualTo("n2");
    assertThat(labels.get("bdb")).isNull();
  }

  @Test
  void builder_manyKeysWithDuplicates_sortsAndKeepsTheLastValueOfEachKey() {
    int keys = 5_000;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      order.add(i);
      order.add(i);
    }
    Collections.shuffle(order, new Random(7));
    Labels.Builder builder = Labels.builder();
    Map<String, String> expected = new TreeMap<>();
    for (int n = 0; n < order.size(); n++) {
      String key = "k" + order.get(n);
      builder.put(key, "v" + n);
      expected.put(key, "v" + n); // a later put replaces an earlier one
    }

    Labels labels = builder.build();

    assertThat(labels.size()).isEqualTo(keys);
    assertThat(labels.asMap()).containsExactlyEntriesOf(expected);
    assertThat(labels).isEqualTo(Labels.of(expected)).hasSameHashCodeAs(Labels.of(expected));
  }

  @Test
  void builder_100kDistinctKeys_buildsInLinearithmicTime() {
    long start = System.nanoTime();
    Labels.Builder builder = Labels.builder();
    for (int i = 100_000; i > 0; i--) {
      builder.put("k" + i, "v");
    }

    Labels labels = builder.build();

    // Quadratic insertion sort took tens of seconds here; n log n takes milliseconds.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(labels.size()).isEqualTo(100_000);
    assertThat(labels.key(0)).isEqualTo("k1");
    assertThat(labels.key(99_999)).isEqualTo("k99999");
  }

  @Test
  void equalsAndHashCode_ignoreInsertionOrder() {
    Labels a = Labels.of("a", "1", "b", "2");
    Labels b = Labels.of(Map.of("b", "2", "a", "1"));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(Labels.of("a", "1", "b", "3"));
  }

  @Test
  void keep_retainsOnlyTheGroupingKeys() {
    Labels labels = Labels.of("cluster", "c1", "bdb", "1", "node", "n1", "host", "h");
    assertThat(labels.keep(List.of("cluster", "node"))).isEqualTo(Labels.of("cluster", "c1", "node", "n1"));
  }

  @Test
  void toString_escapesQuotesBackslashesAndNewlines() {
    assertThat(Labels.of("k", "a\"b\\c\nd").toString()).isEqualTo("{k=\"a\\\"b\\\\c\\nd\"}");
  }

  @Test
  void compareTo_ordersByPairsThenSize() {
    assertThat(Labels.of("a", "1").compareTo(Labels.of("a", "2"))).isNegative();
    assertThat(Labels.of("a", "1").compareTo(Labels.of("a", "1", "b", "1"))).isNegative();
    assertThat(Labels.EMPTY.compareTo(Labels.EMPTY)).isZero();
  }

  @Test
  void of_oddArgumentCount_isRejected() {
    assertThatThrownBy(() -> Labels.of("a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("labels need key, value pairs; got an odd count");
  }

  @Test
  void sharesKeysWith_theStoredSeriesOfAMetricWithTheSameKeys() {
    SeriesStore store = new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(1), 10, 10));
    Labels a = stored(store, Labels.of("host", "a", "zone", "z1"));
    Labels b = stored(store, Labels.of("host", "b", "zone", "z2"));
    Labels c = stored(store, Labels.of("host", "c"));

    assertThat(a.sharesKeysWith(b)).isTrue();
    assertThat(a.sharesKeysWith(c)).isFalse();
  }

  private static Labels stored(SeriesStore store, Labels labels) {
    Labels[] kept = {null};
    store.write("m", MetricKind.GAUGE, labels, s -> kept[0] = s.labels());
    return kept[0];
  }
}
