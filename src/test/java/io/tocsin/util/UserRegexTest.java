package io.tocsin.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.re2j.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RE2 syntax, what it refuses and why, and the size limits that keep matching cheap. */
class UserRegexTest {
  private static final String HINT = " (Tocsin uses RE2 syntax: no backreferences, lookaround, possessive"
      + " quantifiers or atomic groups)";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '→', quoteCharacter = '`', value = {
      "(a)\\1        → backreferences such as \\1 are not supported" + HINT + " at character 4",
      "x(?=a)        → lookahead (?= is not supported" + HINT + " at character 2",
      "x(?!a)        → lookahead (?! is not supported" + HINT + " at character 2",
      "(?<=a)b       → lookbehind (?<= is not supported" + HINT + " at character 1",
      "x(?<!a)b      → lookbehind (?<! is not supported" + HINT + " at character 2",
      "(?>ab)        → atomic groups (?> are not supported" + HINT + " at character 1",
      "ab*+          → possessive quantifiers such as *+ are not supported" + HINT + " at character 3",
      "a{2}+         → possessive quantifiers such as {2}+ are not supported" + HINT + " at character 2",
      "n[12          → missing closing ] at character 2",
      "ab(c|d        → missing closing ) at character 3",
      "a)|(b         → unexpected ): no group to close at character 2",
      "a\\Z          → invalid escape sequence \\Z at character 2",
      "a{1001}       → invalid repeat count {1001} at character 2",
      "a**           → invalid nested repetition operator ** at character 2",
      "*a            → missing argument to repetition operator * at character 1",
  })
  void compile_refusesWithWhatAndWhere(String regex, String message) {
    UserRegex.InvalidRegexException e = catchThrowableOfType(UserRegex.InvalidRegexException.class,
        () -> UserRegex.compile(regex));
    assertThat(e).as(regex).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"(a{1000}){1000}", "((a{1000}){1000}){1000}", "(.{100}){100}", "(?:(?:a?){100}){50}"})
  void compile_refusesPatternsThatCompileTooLarge(String regex) {
    UserRegex.InvalidRegexException e = catchThrowableOfType(UserRegex.InvalidRegexException.class,
        () -> UserRegex.compile(regex));
    assertThat(e.problem()).startsWith("pattern is too large: it compiles to ")
        .endsWith("instructions, and the limit is 4000 (counted repetitions such as {100} multiply the size of what they"
            + " repeat)");
  }

  @ParameterizedTest
  @ValueSource(ints = {101, 5_000})
  void compile_refusesDeepNesting(int depth) {
    UserRegex.InvalidRegexException e = catchThrowableOfType(UserRegex.InvalidRegexException.class,
        () -> UserRegex.compile("(".repeat(depth) + "a" + ")".repeat(depth)));
    assertThat(e.getMessage()).isEqualTo("groups nested deeper than 100 levels at character 101");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '→', quoteCharacter = '`', value = {
      "n[12]                  → n2",
      "(?i)PROD|staging       → prod",
      "[]a]+                  → ]a]",
      "[^]a]                  → b",
      "[[:alpha:]]+[(]        → abc(",
      "\\Q(a)\\E+             → (a)))",
      "\\x{263a}\\pL\\p{Greek} → ☺xα",
      "a{2,}b{,3}             → aaab{,3}",
      "(?P<host>web|db)-\\d+  → web-12",
      "[a-z]{1,1000}          → abc",
  })
  void compile_takesRe2Syntax(String regex, String value) {
    Pattern pattern = UserRegex.compile(regex);
    assertThat(pattern.matcher(value).matches()).as(regex + " matches " + value).isTrue();
  }

  @Test
  void compile_ofACatastrophicPattern_matchesInLinearTime() {
    Pattern pattern = UserRegex.compile("((a+)+)+$");
    long start = System.nanoTime();
    assertThat(pattern.matcher("a".repeat(28) + "!").find()).isFalse();
    assertThat(pattern.matcher("a".repeat(100_000) + "!").find()).isFalse();
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }
}
