package io.tocsin.query.eval;

import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import java.util.List;
import java.util.Map;

/**
 * The value of each column per group and bucket of {@code grid}; {@code NaN} where a bucket has
 * no value. Helper columns (named with a leading {@code _}) are left out.
 */
public record QueryResult(BucketGrid grid, List<Column> columns) {
  /** One column: its groups, sorted by labels, each with a value per bucket. */
  public record Column(String name, List<String> groupBy, Map<Labels, double[]> groups) {}

  public Column column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no column " + name));
  }
}
