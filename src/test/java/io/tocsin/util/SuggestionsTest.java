package io.tocsin.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  private static final List<String> FUNCTIONS = List.of("rate", "irate", "per_min", "per_sec", "sum", "avg");

  @Test
  void closest_typosFindTheWord() {
    assertThat(Suggestions.closest("rat", FUNCTIONS)).hasValue("rate");
    assertThat(Suggestions.closest("per_mni", FUNCTIONS)).hasValue("per_min");
    assertThat(Suggestions.closest("SUM", FUNCTIONS)).hasValue("sum");
  }

  @Test
  void closest_unrelatedWordFindsNothing() {
    assertThat(Suggestions.closest("histogram_quantile", FUNCTIONS)).isEmpty();
    assertThat(Suggestions.hint("zzz", FUNCTIONS)).isEmpty();
  }

  @Test
  void hint_isPhrasedForAppending() {
    assertThat(Suggestions.hint("rat", FUNCTIONS)).isEqualTo(", did you mean 'rate'?");
  }
}
