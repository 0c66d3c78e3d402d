package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelStringsTest {
  @Test
  void canonical_repeatedValue_sharesOneCopy() {
    // The first may leave the slot to a string met again meanwhile (the second chance); the second takes it.
    LabelStrings.canonical(new String("cluster-label-strings-test"));
    String second = LabelStrings.canonical(new String("cluster-label-strings-test"));
    String again = LabelStrings.canonical(new String("cluster-label-strings-test"));
    assertThat(again).isSameAs(second).isEqualTo("cluster-label-strings-test");
  }

  @Test
  void canonical_valueMetAgain_keepsItsSlotAgainstOneOther() {
    String shared = LabelStrings.canonical(new String("shared-label-strings-test"));
    shared = LabelStrings.canonical(new String("shared-label-strings-test")); // now held (see above)
    assertThat(LabelStrings.canonical(new String("shared-label-strings-test"))).isSameAs(shared);
    String rival = sameSlot(shared);

    assertThat(LabelStrings.canonical(rival)).isSameAs(rival);
    assertThat(LabelStrings.canonical(new String("shared-label-strings-test"))).isSameAs(shared);
  }

  /** Another string whose slot is that of {@code s}. */
  private static String sameSlot(String s) {
    int slot = slot(s);
    for (int i = 0; ; i++) {
      String candidate = "rival-" + i;
      if (slot(candidate) == slot) {
        return candidate;
      }
    }
  }

  private static int slot(String s) {
    int h = s.hashCode();
    return (h ^ (h >>> 17)) & ((1 << 17) - 1);
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

  @Test
  void stored_unseenAsciiValue_isItsBytesSharedWithTheNextSeries() {
    Object first = LabelStrings.stored(new String("instance-stored-bytes-test"));
    Object second = LabelStrings.stored(new String("instance-stored-bytes-test"));

    assertThat(first).isInstanceOf(byte[].class);
    assertThat(second).isSameAs(first);
    assertThat(LabelValue.string(first)).isEqualTo("instance-stored-bytes-test");
  }

  @Test
  void stored_nonAsciiValue_staysAString() {
    assertThat(LabelStrings.stored(new String("zone-\u00e9-stored-test"))).isEqualTo("zone-\u00e9-stored-test");
  }

  @Test
  void canonical_valueHeldAsBytes_givesItsSlotToTheString() {
    LabelStrings.stored(new String("host-bytes-then-string-test"));
    String canonical = LabelStrings.canonical(new String("host-bytes-then-string-test"));

    assertThat(LabelStrings.canonical(new String("host-bytes-then-string-test"))).isSameAs(canonical);
    assertThat(LabelStrings.stored(new String("host-bytes-then-string-test"))).isSameAs(canonical);
  }
  @Test
  void stored_unseenShortAsciiValue_isPackedInTheLabelsAndSharedWhereItLiesByTheNextSeries() {
    Labels first = Labels.of("instance", new String("inst-packed-test-01")).stored(new HashMap<>(), null);
    // Another metric's series of the same target: other keys, the value at another index.
    Labels second = Labels.of("a", "a-packed-test", "instance", new String("inst-packed-test-01"))
        .stored(new HashMap<>(), null);

    assertThat(first).isInstanceOf(PackedLabels.class);
    assertThat(first.heldValues()[0]).isSameAs(Labels.PACKED);
    assertThat(second.heldValues()[1]).isSameAs(first);
    assertThat(first.value(0)).isEqualTo("inst-packed-test-01");
    assertThat(second.value(1)).isEqualTo("inst-packed-test-01");
    assertThat(second.valueHash(1)).isEqualTo("inst-packed-test-01".hashCode());
    assertThat(second.valueEquals(1, first, 0)).isTrue();
    assertThat(first.valueEquals(0, second, 1)).isTrue();
    assertThat(second).isEqualTo(Labels.of("a", "a-packed-test", "instance", "inst-packed-test-01"))
        .hasSameHashCodeAs(Labels.of("a", "a-packed-test", "instance", "inst-packed-test-01"));
    assertThat(LabelStrings.stored(new String("inst-packed-test-01"))).isSameAs(first);
  }

  @Test
  void stored_longValueWhoseStartIsHeld_sharesTheStartAndPacksItsLastChars() {
    Labels first = Labels.of("instance", new String("inst-suffix-test-000001")).stored(new HashMap<>(), null);
    Labels second = Labels.of("instance", new String("inst-suffix-test-000002")).stored(new HashMap<>(), null);
    Labels third = Labels.of("instance", new String("inst-suffix-test-000003")).stored(new HashMap<>(), null);

    assertThat(first).isInstanceOf(PackedLabels.class).isNotInstanceOf(PackedLabels.Suffixed.class);
    assertThat(second).isInstanceOf(PackedLabels.Suffixed.class);
    assertThat(third).isInstanceOf(PackedLabels.Suffixed.class);
    assertThat(third.held(0)).isSameAs(second.held(0));
    assertThat(LabelValue.string(second.held(0))).isEqualTo("inst-suffix-test");
    assertThat(second.value(0)).isEqualTo("inst-suffix-test-000002");
    assertThat(second).isEqualTo(Labels.of("instance", "inst-suffix-test-000002"))
        .hasSameHashCodeAs(Labels.of("instance", "inst-suffix-test-000002"))
        .isNotEqualTo(third).isNotEqualTo(first);
    assertThat(LabelStrings.stored(new String("inst-suffix-test-000002"))).isSameAs(second);
  }

  @Test
  void stored_valueTooLongOrWithAZeroChar_isNotPacked() {
    String tooLong = "x".repeat(PackedLabels.MAX_LENGTH + 1) + "-packed-test";
    assertThat(Labels.of("instance", tooLong).stored(new HashMap<>(), null)).isNotInstanceOf(PackedLabels.class);
    assertThat(Labels.of("instance", "zero\0-packed-test").stored(new HashMap<>(), null))
        .isNotInstanceOf(PackedLabels.class);
    assertThat(Labels.of("instance", "x".repeat(PackedLabels.MAX_LENGTH - 12) + "-packed-test").stored(new HashMap<>(), null))
        .isInstanceOf(PackedLabels.class);
  }

  @Test
  void canonical_valuePackedInLabels_givesItsSlotToTheString() {
    Labels.of("instance", new String("packed-then-string")).stored(new HashMap<>(), null);
    String canonical = LabelStrings.canonical(new String("packed-then-string"));

    assertThat(LabelStrings.canonical(new String("packed-then-string"))).isSameAs(canonical);
  }
}
