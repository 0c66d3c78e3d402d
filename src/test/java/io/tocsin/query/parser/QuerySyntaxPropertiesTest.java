package io.tocsin.query.parser;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.query.QueryException;
import io.tocsin.query.eval.Query;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever the text, parsing and checking a query ends, soon, either with a query or with a
 * {@link QueryException} that says where: random strings, and valid queries with random edits.
 */
class QuerySyntaxPropertiesTest {
  /** Generous for a loaded machine: a parse takes well under a millisecond. */
  private static final Duration BOUND = Duration.ofSeconds(2);
  private static final List<String> METRICS = List.of("redis_keyspace_read_hits as $hits",
      "redis_keyspace_read_misses as $misses", "http.server.duration as $lat");
  private static final List<String> VALID = List.of(
      "group by node | $hits / ($hits + $misses) as hit_rate",
      "where host ~ \"^web-[0-9]+$\" and dc not in ('x', 'y') | sum($hits) as hits",
      "$hits{env !~ \"dev|test\", code >= 500} + $misses{host like 'db-%'} as n group by host",
      "p99($lat) by (route) as p99 | where route exists",
      "rate($hits[5m] offset 1h) * 60 as per_minute",
      "avg_over_time($hits[10m]) >= 2.5e3 as busy",
      "where (a = 1 or b != 'x') and not_there not exists | -uniq($hits, host_name) as hosts",
      "where x ~ '((a+)+)+$' | $hits");
  /** The characters the grammar cares about, and a few it does not. */
  private static final String ALPHABET = "$(){}[]\"'\\|,.~!=<>%_+-*/ \n\t09azAZ#@é\u0000";

  @Provide
  Arbitrary<String> randomText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars(ALPHABET).ofMaxLength(200),
        Arbitraries.strings().ofMaxLength(200));
  }

  /** A valid query with 1 to 8 edits: a character inserted, deleted or replaced, or a span doubled. */
  @Provide
  Arbitrary<String> mutatedQuery() {
    Arbitrary<Edit> edit = Combinators.combine(Arbitraries.integers().between(0, 3),
        Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(1, 40),
        Arbitraries.chars().with(ALPHABET.toCharArray())).as(Edit::new);
    return Combinators.combine(Arbitraries.of(VALID), edit.list().ofMinSize(1).ofMaxSize(8)).as((query, edits) -> {
      String text = query;
      for (Edit e : edits) {
        text = e.apply(text);
      }
      return text;
    });
  }

  private record Edit(int kind, double where, int span, char c) {
    String apply(String text) {
      int at = (int) (where * text.length());
      int end = Math.min(text.length(), at + span);
      return switch (kind) {
        case 0 -> text.substring(0, at) + c + text.substring(at);
        case 1 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1));
        case 2 -> at < text.length() ? text.substring(0, at) + c + text.substring(at + 1) : text + c;
        default -> text.substring(0, end) + text.substring(at, end) + text.substring(end);
      };
    }
  }

  @Example
  void theQueriesToMutate_areValid() {
    for (String query : VALID) {
      assertThat(Query.compile(METRICS, List.of(query)).columns()).as(query).isNotEmpty();
    }
  }

  @Property(tries = 1000)
  void randomText_isAQueryOrAPositionedQueryException(@ForAll("randomText") String text) {
    parsesOrFailsWithAPosition(text, QuerySyntax::parseItem);
    parsesOrFailsWithAPosition(text, QuerySyntax::parseMetric);
  }

  @Property(tries = 1000)
  void mutatedQueries_areAQueryOrAPositionedQueryException(@ForAll("mutatedQuery") String text) {
    parsesOrFailsWithAPosition(text, item -> Query.compile(METRICS, List.of(item)));
  }

  private static void parsesOrFailsWithAPosition(String text, Consumer<String> parse) {
    long start = System.nanoTime();
    try {
      parse.accept(text);
    } catch (QueryException e) {
      assertThat(e.position()).as("position of %s", e.getMessage()).isNotNull();
      assertThat(e.position().line()).isPositive();
      assertThat(e.position().column()).isPositive();
      assertThat(e.getMessage()).startsWith("line " + e.position().line() + ":" + e.position().column() + ": ");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time to parse %s", text).isLessThan(BOUND);
  }
}
