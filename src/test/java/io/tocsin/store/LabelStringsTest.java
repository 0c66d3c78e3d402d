package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelStringsTest {
  @Test
  void canonical_repeatedValue_sharesOneCopy() {
    String first = LabelStrings.canonical(new String("cluster-label-strings-test"));
    String again = LabelStrings.canonical(new String("cluster-label-strings-test"));
    assertThat(again).isSameAs(first).isEqualTo("cluster-label-strings-test");
  }

  @Test
  void canonical_manyUniqueValues_keepsNoneBeyondTheTable() {
    String unique = LabelStrings.canonical(new String("instance-label-strings-test"));
    // More distinct values than the table has slots take every slot at least once (the hash of
    // sequential numbers spreads over all of them), so the first value is no longer held.
    for (int i = 0; i < 4 << 17; i++) {
      LabelStrings.canonical("value-" + i);
    }
    String later = LabelStrings.canonical(new String("instance-label-strings-test"));
    assertThat(later).isEqualTo(unique).isNotSameAs(unique);
  }

  @Test
  void interned_labelsOfTwoSeries_shareValueStrings() {
    Labels a = Labels.of(Map.of("host", new String("h-label-strings"))).interned();
    Labels b = Labels.of(Map.of("host", new String("h-label-strings"))).interned();
    assertThat(b.value(0)).isSameAs(a.value(0));
    assertThat(b).isEqualTo(a);
  }
}
