package io.tocsin.notify.silence;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.silence.Matcher.Operator;
import io.tocsin.testing.HostileRegexes;
import java.time.Duration;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Silence and alert matchers over hostile patterns and values. */
class MatcherPropertiesTest {
  /** Generous for a loaded machine: these take milliseconds; a backtracking engine takes hours. */
  private static final Duration BOUND = Duration.ofSeconds(2);

  @Provide
  Arbitrary<String> patterns() {
    return HostileRegexes.patterns();
  }

  @Provide
  Arbitrary<String> values() {
    return HostileRegexes.values();
  }

  @Property(tries = 300)
  void regexMatchers_runInTimeLinearInTheValue(@ForAll("patterns") String pattern, @ForAll("values") String value) {
    Matcher matcher = Matcher.of("node", Operator.REGEX, pattern);
    Matcher negated = Matcher.of("node", Operator.NOT_REGEX, pattern);
    Map<String, String> labels = Map.of("node", value);

    long start = System.nanoTime();
    boolean matches = matcher.matches(labels);
    assertThat(negated.matches(labels)).isEqualTo(!matches);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);

    // The same answer as the backtracking engine used before, fully anchored, where it finishes.
    HostileRegexes.backtracking(pattern, value, true)
        .ifPresent(before -> assertThat(matches).as("%s on \"%s\"", pattern, value).isEqualTo(before));
  }
}
