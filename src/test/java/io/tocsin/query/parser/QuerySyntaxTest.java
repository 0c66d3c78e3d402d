package io.tocsin.query.parser;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.query.ast.AstPrinter;
import io.tocsin.query.ast.Expr;
import io.tocsin.query.ast.MetricDeclaration;
import io.tocsin.query.ast.Part;
import io.tocsin.query.ast.Position;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Input text → canonical text of the AST it parses to. */
class QuerySyntaxTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '→', quoteCharacter = '`', value = {
      // The seed's two queries, item by item.
      "group by cluster                              → group by cluster",
      "group by bdb                                  → group by bdb",
      "$redis_up                                     → $redis_up",
      "$hits / ($hits + $misses) as hit_rate         → $hits / ($hits + $misses) as hit_rate",
      // Several parts in one item, grouping with dots, keywords in any case.
      "$hits | $misses | GROUP BY host.name, service_name → $hits | $misses | group by host_name, service_name",
      "group by a | where b = 'x' | sum($m) as total → group by a | where b = \"x\" | sum($m) as total",
      // Filters.
      "where host = \"a\" and (env != 'prod' or region ~ \"^eu\") → where host = \"a\" and (env != \"prod\" or region ~ \"^eu\")",
      "where a = 1 or b = 2 and c = 3                → where a = 1 or b = 2 and c = 3",
      "where (a = 1 or b = 2) and c = 3              → where (a = 1 or b = 2) and c = 3",
      "where status in ('200', \"201\") and code not in (500, 503) → where status in (\"200\", \"201\") and code not in (500, 503)",
      "where host exists and pod not exists          → where host exists and pod not exists",
      "where path like '/api/%' and path not like \"%.js\" → where path like \"/api/%\" and path not like \"%.js\"",
      "where code >= 500 and code < 600 and x <= -1 and y > 2.5 and z !~ 'te\\'st' → where code >= 500 and code < 600 and x <= -1 and y > 2.5 and z !~ \"te'st\"",
      "where host = localhost                        → where host = localhost",
      "$m{host=\"a\", env!~\"dev|test\"}               → $m{host = \"a\", env !~ \"dev|test\"}",
      "$m{}                                          → $m",
      // Expressions: precedence, unary minus, comparisons, numbers with units.
      "1 + 2 * 3 - 4 / 5 % 6                         → 1 + 2 * 3 - 4 / 5 % 6",
      "(1 + 2) * 3                                   → (1 + 2) * 3",
      "1 - (2 - 3)                                   → 1 - (2 - 3)",
      "(1 - 2) - 3                                   → 1 - 2 - 3",
      "-$a * 2                                       → -$a * 2",
      "-($a + $b)                                    → -($a + $b)",
      "$a > 0.5 == $b <= 1                            → $a > 0.5 == $b <= 1",
      "$a != 0                                       → $a != 0",
      "$bytes / 10kb + $b / 1KiB + 5m + 1h30m + 250ms → $bytes / 10kb + $b / 1KiB + 5m + 1h30m + 250ms",
      "1e3 + .5                                      → 1e3 + .5",
      // Functions, by, windows, offsets, column references.
      "sum($m) by (host, env)                        → sum($m) by (host, env)",
      "avg(sum($m by (a, b)) by (a))                 → avg(sum($m by (a, b)) by (a))",
      "uniq($m, host.name, env)                      → uniq($m, host.name, env)",
      "rate($requests[5m])                           → rate($requests[5m])",
      "irate($requests[1m] offset 1h)                → irate($requests[1m] offset 1h)",
      "$requests[5m] offset 1d by (host)             → $requests[5m] offset 1d by (host)",
      "max_over_time($cpu[10m]) as peak group by host → max_over_time($cpu[10m]) as peak group by host",
      "p99($latency) as p99                          → p99($latency) as p99",
      "hits / (hits + misses) as hit_rate            → hits / (hits + misses) as hit_rate",
      "_total * 100 as pct                           → _total * 100 as pct",
      "PER_MIN($hits)                                → per_min($hits)",
      "abs(ceil(floor(trunc(log(log2(log10(exp(sqrt($x)))))))))  → abs(ceil(floor(trunc(log(log2(log10(exp(sqrt($x)))))))))",
      "$group                                        → $group",
      "sum($m) as by                                 → sum($m) as by",
  })
  void parseItem_printsCanonically(String input, String canonical) {
    List<Part> parts = QuerySyntax.parseItem(input);
    assertThat(AstPrinter.print(parts)).isEqualTo(canonical);
    assertThat(AstPrinter.print(QuerySyntax.parseItem(canonical))).as("canonical text parses to itself").isEqualTo(canonical);
  }

  @Test
  void parseItem_numbersCarryTheirValue() {
    Part.Column column = (Part.Column) QuerySyntax.parseItem("5m + 10kb + 1KiB + 250ms + 2.5").get(0);
    assertThat(numbers(column.expr())).containsExactly(300.0, 10_000.0, 1024.0, 0.25, 2.5);
  }

  private static List<Double> numbers(Expr expr) {
    if (expr instanceof Expr.Number n) {
      return List.of(n.value());
    }
    Expr.Binary b = (Expr.Binary) expr;
    List<Double> all = new ArrayList<>(numbers(b.left()));
    all.addAll(numbers(b.right()));
    return all;
  }

  @Test
  void parseItem_positionsPointAtEachPart() {
    List<Part> parts = QuerySyntax.parseItem("group by a |\n  $x / $y as r");
    assertThat(parts.get(0).position()).isEqualTo(new Position(1, 1));
    assertThat(parts.get(1).position()).isEqualTo(new Position(2, 3));
    Expr.Binary division = (Expr.Binary) ((Part.Column) parts.get(1)).expr();
    assertThat(division.right().position()).isEqualTo(new Position(2, 8));
  }

  @Test
  void column_nameIsTheAliasOrTheCanonicalText() {
    assertThat(((Part.Column) QuerySyntax.parseItem("$a  +  $b").get(0)).name()).isEqualTo("$a + $b");
    assertThat(((Part.Column) QuerySyntax.parseItem("$a as _helper").get(0)).isHelper()).isTrue();
  }

  @Test
  void parseMetric_normalisesDottedNames() {
    assertThat(QuerySyntax.parseMetric("redis.keyspace.hits as $hits"))
        .isEqualTo(new MetricDeclaration("redis_keyspace_hits", "$hits", new Position(1, 1)));
    assertThat(QuerySyntax.parseMetric("redis_up AS $redis_up").metric()).isEqualTo("redis_up");
  }
}
