package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tocsin.query.QueryException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Query text → the exact error, with the line and column it points at. */
class QueryErrorsTest {
  private static final String RE2 = " (Tocsin uses RE2 syntax: no backreferences, lookaround, possessive"
      + " quantifiers or atomic groups)";
  private static final List<String> METRICS = List.of(
      "redis_keyspace_read_hits as $hits", "redis_keyspace_read_misses as $misses", "http.latency as $lat");

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '→', quoteCharacter = '`', value = {
      "$hits / rat($misses)                  → line 1:9: unknown function 'rat', did you mean 'rate'?",
      "histogram_quantile(0.9, $lat)        → line 1:1: unknown function 'histogram_quantile'",
      "$hitz + 1                            → line 1:1: unknown metric alias $hitz, did you mean '$hits'?; declared: $hits, $misses, $lat",
      "hit_rate * 100                       → line 1:1: unknown column 'hit_rate'",
      "hits / misses                        → line 1:1: unknown column 'hits'; metrics are written with their alias, $hits",
      "sum($hits, $misses)                  → line 1:1: sum takes 1 argument, got 2",
      "p99()                                → line 1:1: p99 takes 1 argument, got 0",
      "p99($hits + 1)                       → line 1:5: p99 takes a metric such as $m, got '$hits + 1'",
      "avg_over_time($hits)                 → line 1:1: avg_over_time needs a range, e.g. avg_over_time($hits[5m])",
      "$hits[5m]                            → line 1:1: a range such as [5m] needs a function that reads windows, such as rate or avg_over_time",
      "sum(2)                               → line 1:1: sum needs a metric or grouped values, not a number",
      "uniq($hits, 1)                       → line 1:13: uniq counts attribute values; '1' is not an attribute name",
      "uniq()                               → line 1:1: uniq takes a metric and attribute names, e.g. uniq($m, host_name)",
      "where $hits > 0                      → line 1:7: '$hits' is a metric; where and group by take attribute names such as host_name",
      "group by node, $misses               → line 1:16: '$misses' is a metric; where and group by take attribute names such as host_name",
      "where host ~ \"[unclosed\"           → line 1:15: invalid regular expression \"[unclosed\": missing closing ]",
      "where host ~ \"(a)\\\\1\"           → line 1:18: invalid regular expression \"(a)\\1\": backreferences such as \\1 are not supported" + RE2,
      "$hits{host ~ \"a++\"}                → line 1:16: invalid regular expression \"a++\": possessive quantifiers such as ++ are not supported" + RE2,
      "where host ~ \"(a{1000}){1000}\"    → line 1:17: invalid regular expression \"(a{1000}){1000}\": pattern is too large: it compiles to more than 16000 instructions, and the limit is 4000 (counted repetitions such as {100} multiply the size of what they repeat)",
      "where code > abc                     → line 1:7: > compares numbers; \"abc\" is not a number",
      "$hits / ($hits + $misses             → line 1:9: unbalanced '(': never closed",
      "$hits + $misses)                     → line 1:16: unbalanced ')': nothing to close",
      "sum($hits]                           → line 1:10: ']' closes '(' at 1:4; expected ')'",
      "where host = \"a                     → line 1:14: unterminated string",
      "$hits $misses                        → line 1:7: unexpected '$misses'",
      "$hits /                              → line 1:8: unexpected end of query",
      "$hits @ 2                            → line 1:7: unexpected character '@'",
      "group by                             → line 1:9: unexpected end of query",
      "$hits as hit_rate | $misses as hit_rate → line 1:21: column 'hit_rate' is defined twice",
      "avg(sum($hits) by (node))            → line 1:1: cannot group by (node) values grouped by (); group the inner expression by those attributes too",
  })
  void compile_reportsPositionedErrors(String item, String message) {
    QueryException e = catchThrowableOfType(QueryException.class, () -> Query.compile(METRICS, List.of(item)));
    assertThat(e).as("an error for %s", item).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message);
    assertThat(e.source()).isEqualTo(QueryException.Source.QUERY);
    assertThat(e.index()).isZero();
  }

  @Test
  void compile_invalidRegexOnALaterLine_pointsAtTheCharacter() {
    QueryException e = catchThrowableOfType(QueryException.class,
        () -> Query.compile(METRICS, List.of("where a = 1 and\n  host !~ 'x\\\\d(?=y)'")));
    assertThat(e.getMessage()).isEqualTo("line 2:16: invalid regular expression \"x\\d(?=y)\": lookahead (?= is not"
        + " supported" + RE2);
  }

  @Test
  void compile_errorInALaterItemOrLine_saysWhich() {
    QueryException e = catchThrowableOfType(QueryException.class,
        () -> Query.compile(METRICS, List.of("group by node", "$hits /\n  nope(1)")));
    assertThat(e.getMessage()).isEqualTo("line 2:3: unknown function 'nope'");
    assertThat(e.index()).isEqualTo(1);
  }

  @Test
  void compile_badMetricDeclaration_saysWhich() {
    QueryException e = catchThrowableOfType(QueryException.class,
        () -> Query.compile(List.of("up as $up", "redis_up $up"), List.of("$up")));
    assertThat(e.getMessage()).isEqualTo("line 1:10: unexpected '$up'");
    assertThat(e.source()).isEqualTo(QueryException.Source.METRICS);
    assertThat(e.index()).isEqualTo(1);

    QueryException twice = catchThrowableOfType(QueryException.class,
        () -> Query.compile(List.of("up as $up", "down as $up"), List.of("$up")));
    assertThat(twice.getMessage()).isEqualTo("line 1:1: alias $up is declared twice");
  }

  @Test
  void compile_emptyQueries_areRefused() {
    assertThat(catchThrowableOfType(QueryException.class, () -> Query.compile(METRICS, List.of("  "))).getMessage())
        .isEqualTo("line 1:1: empty query");
    assertThat(catchThrowableOfType(QueryException.class, () -> Query.compile(METRICS, List.of("group by node")))
        .getMessage()).isEqualTo("line 1:1: the query has no column to compute; add an expression such as $m or sum($m)");
  }

  @Test
  void compile_hugeOrDeeplyNestedInput_isAnErrorNotACrash() {
    String deep = "(".repeat(10_000) + "1" + ")".repeat(10_000);
    assertThat(catchThrowableOfType(QueryException.class, () -> Query.compile(METRICS, List.of(deep))).getMessage())
        .isEqualTo("line 1:1: query of 20001 characters is longer than the limit of 10000");
    String nested = "(".repeat(100) + "1" + ")".repeat(100);
    assertThat(catchThrowableOfType(QueryException.class, () -> Query.compile(METRICS, List.of(nested))).getMessage())
        .isEqualTo("line 1:65: brackets nested deeper than 64 levels");
    String[] terms = new String[300];
    Arrays.fill(terms, "1");
    String chain = String.join("+", terms);
    assertThat(catchThrowableOfType(QueryException.class, () -> Query.compile(METRICS, List.of(chain))).getMessage())
        .isEqualTo("line 1:1: expression nested deeper than 200 levels");
    String[] more = new String[4999];
    Arrays.fill(more, "1");
    String longChain = String.join("+", more);
    // Depending on the thread's stack, the parser or the depth check refuses it first.
    assertThat(catchThrowableOfType(QueryException.class, () -> Query.compile(METRICS, List.of(longChain))).getMessage())
        .isIn("line 1:1: expression nested deeper than 200 levels", "line 1:1: query is too complex to parse");
  }
}
