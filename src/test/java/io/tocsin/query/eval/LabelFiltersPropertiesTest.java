package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.query.ast.Filter;
import io.tocsin.query.ast.Position;
import io.tocsin.store.Labels;
import io.tocsin.testing.HostileRegexes;
import java.time.Duration;
import java.util.function.Predicate;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Query regex filters over hostile patterns and label values. */
class LabelFiltersPropertiesTest {
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
  void regexFilters_runInTimeLinearInTheValue(@ForAll("patterns") String pattern, @ForAll("values") String value) {
    Predicate<Labels> found = LabelFilters.compile(
        new Filter.Compare("x", Filter.CompareOp.MATCH, new Filter.Literal(pattern, true), Position.UNKNOWN));
    Predicate<Labels> notFound = LabelFilters.compile(
        new Filter.Compare("x", Filter.CompareOp.NOT_MATCH, new Filter.Literal(pattern, true), Position.UNKNOWN));
    Labels labels = Labels.of("x", value);

    long start = System.nanoTime();
    boolean matches = found.test(labels);
    assertThat(notFound.test(labels)).isEqualTo(!matches);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND);

    if (value.indexOf('\n') < 0) {
      // The same answer as the backtracking engine used before, unanchored, where it finishes; but
      // for $, which RE2 does not let match before a final \n.
      HostileRegexes.backtracking(pattern, value, false)
          .ifPresent(before -> assertThat(matches).as("%s in \"%s\"", pattern, value).isEqualTo(before));
    }
  }
}
