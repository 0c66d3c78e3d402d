package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
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
}
