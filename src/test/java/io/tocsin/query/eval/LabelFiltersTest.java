package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelFiltersTest {
  @ParameterizedTest
  @CsvSource({
      "web-%,   web-1,     true",
      "web-%,   db-1,      false",
      "%.js,    app.js,    true",
      "%.js,    appxjs,    false",
      "a_c,     abc,       true",
      "a_c,     abbc,      false",
      "(x)%,    (x)y,      true",
      "100%,    100 bottles, true",
  })
  void likeToRegex_matchesWholeValueWithPercentAndUnderscore(String like, String value, boolean matches) {
    assertThat(Pattern.compile(LabelFilters.likeToRegex(like)).matcher(value).matches()).isEqualTo(matches);
  }
}
