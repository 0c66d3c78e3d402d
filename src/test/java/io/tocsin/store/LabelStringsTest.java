package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

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
  void stored_unseenShortAsciiValue_isPackedInTheSeriesAndSharedWhereItLiesByTheNextSeries() {
    Series first = StoredSeries.of(Labels.of("instance", new String("pT-01.aa")));
    // Another metric's series of the same target: other keys, the value at another index.
    Series second = StoredSeries.of(Labels.of("a", "a-packed-test", "instance", new String("pT-01.aa")));

    assertThat(first).isInstanceOf(Series.Packed.class);
    assertThat(first.held(0)).isSameAs(Labels.IN_WORD);
    assertThat(second).isNotInstanceOf(Series.Packed.class);
    assertThat(second.held(1)).isSameAs(first);
    assertThat(first.value(0)).isEqualTo("pT-01.aa");
    assertThat(second.value(1)).isEqualTo("pT-01.aa");
    assertThat(second.valueHash(1)).isEqualTo("pT-01.aa".hashCode());
    assertThat(second.valueEquals(1, first, 0)).isTrue();
    assertThat(first.valueEquals(0, second, 1)).isTrue();
    assertThat(second).isEqualTo(Labels.of("a", "a-packed-test", "instance", "pT-01.aa"))
        .hasSameHashCodeAs(Labels.of("a", "a-packed-test", "instance", "pT-01.aa"));
    assertThat(LabelStrings.stored(new String("pT-01.aa"))).isSameAs(first);
  }

  @Test
  void stored_longValueWhoseStartIsHeld_sharesTheStartAndPacksItsLastChars() {
    StoredSeries.holdStartOf("inst-suffix-test-000001");
    Series first = StoredSeries.of(Labels.of("instance", new String("inst-suffix-test-000001")));
    Series second = StoredSeries.of(Labels.of("instance", new String("inst-suffix-test-000002")));
    Series third = StoredSeries.of(Labels.of("instance", new String("inst-suffix-test-000003")));

    assertThat(second).isInstanceOf(Series.Packed.class);
    assertThat(second.packsSuffixed(0)).isTrue();
    assertThat(third.packsSuffixed(0)).isTrue();
    assertThat(first.packsSuffixed(0)).isTrue();
    assertThat(third.held(0)).isSameAs(second.held(0));
    assertThat(LabelValue.string(second.held(0))).isEqualTo("inst-suffix-test");
    assertThat(second.value(0)).isEqualTo("inst-suffix-test-000002");
    assertThat(second).isEqualTo(Labels.of("instance", "inst-suffix-test-000002"))
        .hasSameHashCodeAs(Labels.of("instance", "inst-suffix-test-000002"))
        .isNotEqualTo(third).isNotEqualTo(first);
    assertThat(LabelStrings.stored(new String("inst-suffix-test-000002"))).isSameAs(second);
  }

  @Test
  void stored_counterSeries_packsAsAGaugeDoesAndKeepsItsStreamState() {
    Family counters = new Family("stored_counter_test", MetricKind.COUNTER, 60_000, AppendLog.NONE);
    CounterSeries word = (CounterSeries) counters.create(1, Labels.of("instance", new String("cT-01.aa")));
    StoredSeries.holdStartOf("counter-suffix-0001");
    CounterSeries suffixed =
        (CounterSeries) counters.create(3, Labels.of("instance", new String("counter-suffix-0002")));

    word.append(60_000, 3, 5, 10);
    suffixed.append(60_000, 4, 6, 20);

    assertThat(word).isInstanceOf(CounterSeries.Packed.class).isEqualTo(Labels.of("instance", "cT-01.aa"));
    assertThat(suffixed).isInstanceOf(CounterSeries.Packed.class)
        .isEqualTo(Labels.of("instance", "counter-suffix-0002"));
    assertThat(suffixed.packsSuffixed(0)).isTrue();
    assertThat(word.writerState()).isEqualTo(CounterState.of(5, 10));
    assertThat(suffixed.writerState()).isEqualTo(CounterState.of(6, 20));
    assertThat(suffixed.lastTimeMs()).isEqualTo(60_000);
  }

  @Test
  void stored_longValueAtTheLastIndexAWordHolds_isPackedAndBeyondItKeptAsBytes() {
    StoredSeries.holdStartOf("idx-limit-test-0001");
    Series last = StoredSeries.of(heldPairs(PackedValue.MAX_INDEX).put("z", new String("idx-limit-test-0002")).build());
    Series beyond =
        StoredSeries.of(heldPairs(PackedValue.MAX_INDEX + 1).put("z", new String("idx-limit-test-0003")).build());

    assertThat(last.indexOf("z")).isEqualTo(PackedValue.MAX_INDEX);
    assertThat(last.packsSuffixed(PackedValue.MAX_INDEX)).isTrue();
    assertThat(last.get("z")).isEqualTo("idx-limit-test-0002");
    assertThat(last).isEqualTo(heldPairs(PackedValue.MAX_INDEX).put("z", "idx-limit-test-0002").build());
    assertThat(beyond.indexOf("z")).isEqualTo(PackedValue.MAX_INDEX + 1);
    assertThat(beyond).isNotInstanceOf(Series.Packed.class);
    assertThat(beyond.held(PackedValue.MAX_INDEX + 1)).isInstanceOf(byte[].class);
    assertThat(beyond.get("z")).isEqualTo("idx-limit-test-0003");
  }

  /** {@code n} pairs whose values the table holds already, keys sorted before "z". */
  private static Labels.Builder heldPairs(int n) {
    Labels.Builder pairs = Labels.builder();
    for (int i = 0; i < n; i++) {
      // Twice: the second takes the slot even from a value met again.
      String held = LabelStrings.canonical(LabelStrings.canonical(new String("held-idx-" + i)));
      pairs.put(String.format("k%03d", i), held);
    }
    return pairs;
  }

  @Test
  void stored_longValueWhoseStartIsNotHeld_isKeptAsBytesAndOffersItsStart() {
    Series first = StoredSeries.of(Labels.of("instance", new String("unheld-start-test-1")));
    // Offered again, in case the table kept a value met again in that slot the first time.
    StoredSeries.of(Labels.of("instance", new String("unheld-start-test-2")));
    Series third = StoredSeries.of(Labels.of("instance", new String("unheld-start-test-3")));

    assertThat(first).isNotInstanceOf(Series.Packed.class);
    assertThat(first.held(0)).isInstanceOf(byte[].class);
    assertThat(LabelValue.string(first.held(0))).isEqualTo("unheld-start-test-1");
    assertThat(third.packsSuffixed(0)).isTrue();
    assertThat(LabelValue.string(third.held(0))).isEqualTo("unheld-start");
  }

  @Test
  void stored_valueTooLongOrWithAZeroChar_isNotPacked() {
    String longest = "x".repeat(PackedValue.MAX_LENGTH - 12) + "-packed-tst";
    StoredSeries.holdStartOf(longest + "1");
    String tooLong = "x".repeat(PackedValue.MAX_LENGTH - 12) + "-packed-tst12";

    assertThat(StoredSeries.of(Labels.of("instance", tooLong))).isNotInstanceOf(Series.Packed.class);
    assertThat(StoredSeries.of(Labels.of("instance", "zero\0-p"))).isNotInstanceOf(Series.Packed.class);
    assertThat(StoredSeries.of(Labels.of("instance", longest + "2"))).isInstanceOf(Series.Packed.class);
  }

  @Test
  void canonical_valuePackedInLabels_givesItsSlotToTheString() {
    StoredSeries.of(Labels.of("instance", new String("pkThen.s")));
    String canonical = LabelStrings.canonical(new String("pkThen.s"));

    assertThat(LabelStrings.canonical(new String("pkThen.s"))).isSameAs(canonical);
  }
}
