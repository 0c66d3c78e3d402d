package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The table across several of its pages; {@link SeriesStorePropertiesTest} checks it against a
 * reference with few series per metric, which fit one page.
 */
class SeriesTableTest {
  private static final int SERIES = 100_000; // a table of four to six pages

  private final Family family = new Family("m", MetricKind.GAUGE, 60_000, AppendLog.NONE);

  private static Labels labels(int i) {
    return Labels.of("instance", "i-" + i, "shard", Integer.toString(i % 7));
  }

  @Test
  void get_acrossPages_findsEverySeriesUntilItIsRemoved() {
    SeriesTable table = new SeriesTable();
    Series[] series = new Series[SERIES];
    for (int i = 0; i < SERIES; i++) {
      series[i] = family.create(i + 1, labels(i));
      table.add(series[i]);
    }
    for (int i = 0; i < SERIES; i++) {
      assertThat(table.get(labels(i))).as("series %d", i).isSameAs(series[i]);
    }
    for (int i = 0; i < SERIES; i += 2) {
      assertThat(table.remove(series[i])).isTrue();
    }
    table.compact();
    for (int i = 0; i < SERIES; i++) {
      assertThat(table.get(labels(i))).as("series %d", i).isSameAs(i % 2 == 0 ? null : series[i]);
    }
    assertThat(table.remove(series[0])).isFalse();
    assertThat(table.get(Labels.of("instance", "i-" + SERIES))).isNull();
  }
}
