package io.tocsin.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @Test
  void parse_singleAndCompoundTerms() {
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("2w")).isEqualTo(Duration.ofDays(14));
    assertThat(Durations.parse("1m500ms")).isEqualTo(Duration.ofMillis(60_500));
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "m", "5 m", "30m1h", "1h1h", "-5m", "1.5h", "5x"})
  void parse_invalid_saysWhatIsExpected(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid duration \"" + text + "\"; expected e.g. 30s, 5m, 1h30m");
  }

  @ParameterizedTest
  @ValueSource(strings = {"2562047788015215h", "106751991167w", "99999999999999999999s", "15250284452w4d"})
  void parse_beyondLongMilliseconds_isTooLong(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration \"" + text + "\" is too long");
  }

  @Test
  void parse_theLongestThatFitsInMilliseconds() {
    assertThat(Durations.parse("9223372036854775807ms").toMillis()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void format_isTheShortestParseableForm() {
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.parse(Durations.format(Duration.ofSeconds(93_784)))).isEqualTo(Duration.ofSeconds(93_784));
  }
}
