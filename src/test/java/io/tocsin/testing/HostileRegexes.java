package io.tocsin.testing;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators for regex-matching properties: patterns built from nested quantifiers and
 * overlapping alternations (the shapes that make backtracking engines exponential), and label
 * values up to a few KiB that are mostly long runs of one character with a twist at the end.
 */
public final class HostileRegexes {
  private HostileRegexes() {}

  /** Patterns such as {@code ((a+)+b|(a|aa)*)+$}, a few levels deep. */
  public static Arbitrary<String> patterns() {
    Arbitrary<String> atoms = Arbitraries.of("a", "b", ".", "[ab]", "a?", "\\w", "(?:a|aa)");
    return Arbitraries.recursive(() -> atoms, HostileRegexes::deeper, 1, 5)
        .flatMap(p -> Arbitraries.of(p, "^" + p, p + "$", "^" + p + "$"));
  }

  private static Arbitrary<String> deeper(Arbitrary<String> inner) {
    Arbitrary<String> quantifier = Arbitraries.of("+", "*", "?", "{1,3}", "{2,}", "+?", "*?");
    return Arbitraries.oneOf(
        Combinators.combine(inner, quantifier).as((p, q) -> "(" + p + ")" + q),
        Combinators.combine(inner, inner).as((p, q) -> p + q),
        Combinators.combine(inner, inner).as((p, q) -> "(" + p + "|" + q + ")"));
  }

  /**
   * Values up to 4 KiB, half of them short: a run of a's (or a, b mixed) and then a character
   * that spoils the match.
   */
  public static Arbitrary<String> values() {
    Arbitrary<String> run = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 40).map("a"::repeat),
        Arbitraries.integers().between(0, 4_000).map("a"::repeat),
        Arbitraries.strings().withChars("ab").ofMaxLength(40),
        Arbitraries.strings().withChars("ab").ofMaxLength(4_000));
    Arbitrary<String> tail = Arbitraries.of("", "!", "b", "ab!", "\n");
    return Combinators.combine(run, tail).as(String::concat);
  }

  /**
   * What {@code java.util.regex}, a backtracking engine, answers: whether the pattern matches the
   * whole value ({@code whole}) or a part of it; empty for values over 40 characters or when it
   * has not answered within 50 ms.
   */
  public static Optional<Boolean> backtracking(String pattern, String value, boolean whole) {
    if (value.length() > 40) {
      return Optional.empty();
    }
    long deadline = System.nanoTime() + 50_000_000L;
    Matcher matcher = Pattern.compile(pattern).matcher(new Deadline(value, deadline));
    try {
      return Optional.of(whole ? matcher.matches() : matcher.find());
    } catch (TimedOut e) {
      return Optional.empty();
    }
  }

  private static final class TimedOut extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TimedOut() {
      super(null, null, false, false);
    }
  }

  /** A value that stops a backtracking engine past a deadline: it reads every character through charAt. */
  private record Deadline(String text, long deadline) implements CharSequence {
    @Override
    public char charAt(int index) {
      if (System.nanoTime() > deadline) {
        throw new TimedOut();
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Deadline(text.substring(start, end), deadline);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
