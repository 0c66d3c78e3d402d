package io.tocsin.util;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Compiles the regular expressions users write (query filters, alert and silence matchers) with
 * RE2/J, whose matching takes time linear in the input whatever the pattern: a label value, which
 * anyone who can send OTLP chooses, cannot make a pattern such as {@code ((a+)+)+$} backtrack for
 * minutes. RE2 syntax has no backreferences, lookaround, possessive quantifiers or atomic groups;
 * those are refused with a message that says so.
 *
 * <p>Matching costs time in proportion to the input times the compiled program, and RE2/J follows
 * empty transitions recursively, so programs are limited to {@link #MAX_PROGRAM_SIZE}
 * instructions and groups to {@link #MAX_NESTING} levels. A pattern whose counted repetitions
 * multiply ({@code ((a{1000}){1000}){1000}}) is refused before RE2/J builds it, which would take
 * gigabytes.
 */
public final class UserRegex {
  /** Far above any real filter (a 50-host alternation is a few hundred), well within a 1 MiB stack. */
  public static final int MAX_PROGRAM_SIZE = 4_000;
  public static final int MAX_NESTING = 100;
  private static final String RE2_HINT = " (Tocsin uses RE2 syntax: no backreferences, lookaround, possessive"
      + " quantifiers or atomic groups)";

  private UserRegex() {}

  /** A problem with a pattern, with the index of the character it is at (from 0). */
  public static final class InvalidRegexException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int index;
    private final String problem;

    InvalidRegexException(int index, String problem) {
      super(problem + " at character " + (index + 1));
      this.index = index;
      this.problem = problem;
    }

    /** Where in the pattern the problem is, from 0. */
    public int index() {
      return index;
    }

    /** What is wrong, without the position. */
    public String problem() {
      return problem;
    }
  }

  public static Pattern compile(String regex) {
    return compile(regex, 0);
  }

  /** The compiled pattern, or an {@link InvalidRegexException}; flags are RE2/J's. */
  public static Pattern compile(String regex, int flags) {
    Shape shape = Shape.of(regex);
    if (shape.deepestAt >= 0) {
      throw new InvalidRegexException(shape.deepestAt, "groups nested deeper than " + MAX_NESTING + " levels");
    }
    if (shape.size > 4L * MAX_PROGRAM_SIZE) {
      throw new InvalidRegexException(shape.largestRepeatAt, tooLarge("more than " + 4 * MAX_PROGRAM_SIZE));
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex, flags);
    } catch (PatternSyntaxException e) {
      throw invalid(regex, shape, e);
    } catch (StackOverflowError e) {
      throw new InvalidRegexException(0, "pattern is too complex");
    }
    if (pattern.programSize() > MAX_PROGRAM_SIZE) {
      throw new InvalidRegexException(Math.max(0, shape.largestRepeatAt), tooLarge(pattern.programSize()
          + ""));
    }
    return pattern;
  }

  private static String tooLarge(String size) {
    return "pattern is too large: it compiles to " + size + " instructions, and the limit is " + MAX_PROGRAM_SIZE + " (counted repetitions such as {100} multiply the size of what they repeat)";
  }

  /** RE2/J's message, in words a user can act on, at the character it is about. */
  private static InvalidRegexException invalid(String regex, Shape shape, PatternSyntaxException e) {
    String description = e.getDescription();
    // RE2/J's messages end with the offending text in backquotes.
    String message = e.getMessage();
    int open = message.indexOf(": `");
    String fragment = open >= 0 && message.endsWith("`") ? message.substring(open + 3, message.length() - 1) : "";
    int at = fragment.isEmpty() ? -1 : regex.indexOf(fragment);
    if (description.startsWith("missing closing )") && shape.unclosedParenAt >= 0) {
      return new InvalidRegexException(shape.unclosedParenAt, "missing closing )");
    }
    if (description.startsWith("missing closing ]") && shape.unclosedClassAt >= 0) {
      return new InvalidRegexException(shape.unclosedClassAt, "missing closing ]");
    }
    if (shape.unmatchedParenAt >= 0) { // RE2/J says "internal error: stack underflow"
      return new InvalidRegexException(shape.unmatchedParenAt, "unexpected ): no group to close");
    }
    if (fragment.startsWith("(?=") || fragment.startsWith("(?!")) {
      return new InvalidRegexException(at, "lookahead " + fragment.substring(0, 3) + " is not supported" + RE2_HINT);
    }
    if (fragment.startsWith("(?<=") || fragment.startsWith("(?<!")) {
      return new InvalidRegexException(at, "lookbehind " + fragment.substring(0, 4) + " is not supported" + RE2_HINT);
    }
    if (fragment.startsWith("(?>")) {
      return new InvalidRegexException(at, "atomic groups (?> are not supported" + RE2_HINT);
    }
    if (fragment.matches("\\\\[1-9]")) {
      return new InvalidRegexException(at, "backreferences such as " + fragment + " are not supported" + RE2_HINT);
    }
    if (description.equals("invalid nested repetition operator") && fragment.endsWith("+")) {
      return new InvalidRegexException(at, "possessive quantifiers such as " + fragment + " are not supported"
          + RE2_HINT);
    }
    String what = fragment.isEmpty() || fragment.equals(regex) ? description : description + " " + fragment;
    return new InvalidRegexException(Math.max(0, at), what);
  }

  /**
   * What a quick scan of the pattern finds before RE2/J parses it: an estimate of the compiled
   * size (atoms, times the counts of the repetitions around them), how deep groups nest, and
   * where brackets are unbalanced. Only an estimate: RE2/J still decides what is valid.
   */
  private static final class Shape {
    long size;
    int largestRepeatAt = 0;
    int deepestAt = -1;
    int unclosedParenAt = -1;
    int unmatchedParenAt = -1;
    int unclosedClassAt = -1;

    static Shape of(String regex) {
      Shape shape = new Shape();
      shape.scan(regex);
      return shape;
    }

    private void scan(String re) {
      int n = re.length();
      // Per open group: the size of its finished items and of its last item (which a repetition multiplies).
      long[] done = new long[MAX_NESTING + 2];
      long[] last = new long[MAX_NESTING + 2];
      int[] openedAt = new int[MAX_NESTING + 2];
      int depth = 0;
      long largestFactor = 1;
      int i = 0;
      while (i < n) {
        char c = re.charAt(i);
        int atomEnd = -1;
        switch (c) {
          case '\\' -> {
            if (re.startsWith("\\Q", i)) {
              int end = re.indexOf("\\E", i + 2);
              int stop = end < 0 ? n : end;
              done[depth] = cap(done[depth] + last[depth] + Math.max(0, stop - i - 3));
              last[depth] = stop > i + 2 ? 1 : 0;
              i = end < 0 ? n : end + 2;
              continue;
            }
            atomEnd = escapeEnd(re, i);
          }
          case '[' -> {
            int end = classEnd(re, i);
            if (end < 0) {
              unclosedClassAt = i;
              atomEnd = n;
            } else {
              atomEnd = end;
            }
          }
          case '(' -> {
            if (depth == MAX_NESTING) {
              deepestAt = i;
              return;
            }
            depth++;
            done[depth] = 0;
            last[depth] = 0;
            openedAt[depth] = i;
            i++;
            continue;
          }
          case ')' -> {
            if (depth == 0) {
              if (unmatchedParenAt < 0) {
                unmatchedParenAt = i;
              }
              i++;
              continue;
            }
            long group = cap(done[depth] + last[depth]);
            depth--;
            done[depth] = cap(done[depth] + last[depth]);
            last[depth] = group;
            i++;
            continue;
          }
          case '|' -> {
            done[depth] = cap(done[depth] + last[depth]);
            last[depth] = 0;
            i++;
            continue;
          }
          case '*', '+', '?' -> {
            i++;
            continue;
          }
          case '{' -> {
            int end = re.indexOf('}', i);
            long count = end < 0 ? -1 : repeatCount(re.substring(i + 1, end));
            if (count >= 0) {
              last[depth] = cap(last[depth] * Math.max(1, count));
              if (count > largestFactor) {
                largestFactor = count;
                largestRepeatAt = i;
              }
              i = end + 1;
              continue;
            }
            atomEnd = i + 1; // a literal {
          }
          default -> atomEnd = i + 1;
        }
        done[depth] = cap(done[depth] + last[depth]);
        last[depth] = 1;
        i = atomEnd;
      }
      if (depth > 0) {
        unclosedParenAt = openedAt[depth];
      }
      long total = 0;
      for (int d = depth; d >= 0; d--) {
        total = cap(total + done[d] + last[d]);
      }
      size = total;
    }

    private static long cap(long size) {
      return Math.min(size, Integer.MAX_VALUE);
    }

    /** How many times {@code {n}}, {@code {n,}} or {@code {n,m}} repeats at most; -1 when not a repetition. */
    private static long repeatCount(String inside) {
      int comma = inside.indexOf(',');
      String min = comma < 0 ? inside : inside.substring(0, comma);
      String max = comma < 0 ? inside : inside.substring(comma + 1);
      if (!digits(min) || !(digits(max) || max.isEmpty())) {
        return -1;
      }
      long low = number(min);
      return max.isEmpty() ? low + 1 : Math.max(low, number(max));
    }

    private static boolean digits(String text) {
      return !text.isEmpty() && text.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    private static long number(String digits) {
      return digits.length() > 7 ? 10_000_000 : Long.parseLong(digits);
    }

    /** Where the escape at {@code i} ends: {@code \x{263a}}, {@code \p{Greek}} and {@code \pL} are one. */
    private static int escapeEnd(String re, int i) {
      if (i + 1 >= re.length()) {
        return re.length();
      }
      char next = re.charAt(i + 1);
      if ((next == 'x' || next == 'p' || next == 'P') && i + 2 < re.length()) {
        if (re.charAt(i + 2) == '{') {
          int end = re.indexOf('}', i + 3);
          return end < 0 ? re.length() : end + 1;
        }
        return next == 'x' ? Math.min(re.length(), i + 4) : i + 3;
      }
      return i + 2;
    }

    /** The index after the {@code ]} closing the class at {@code i}, or -1 when it is never closed. */
    private static int classEnd(String re, int i) {
      int j = i + 1;
      if (j < re.length() && re.charAt(j) == '^') {
        j++;
      }
      if (j < re.length() && re.charAt(j) == ']') {
        j++; // a ] first in a class is literal
      }
      while (j < re.length()) {
        char c = re.charAt(j);
        if (c == ']') {
          return j + 1;
        }
        if (c == '\\') {
          j = escapeEnd(re, j);
        } else if (c == '[' && re.startsWith("[:", j) && re.indexOf(":]", j + 2) > 0) {
          j = re.indexOf(":]", j + 2) + 2;
        } else {
          j++;
        }
      }
      return -1;
    }
  }
}
