package io.tocsin.store.wal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DefinedSeriesTest {
  @Test
  void add_idsAcrossPages_trueOnlyTheFirstTimeUntilCleared() {
    DefinedSeries defined = new DefinedSeries();
    long[] ids = {0, 1, 63, 64, 4095, 4096, 1_000_000, (1L << 32) - 1, 1L << 32, (1L << 40) - 1};

    for (long id : ids) {
      assertThat(defined.add(id)).as("first add of %d", id).isTrue();
    }
    for (long id : ids) {
      assertThat(defined.add(id)).as("second add of %d", id).isFalse();
    }
    assertThat(defined.add(2)).isTrue();
    defined.clear();
    for (long id : ids) {
      assertThat(defined.add(id)).as("add of %d after clear", id).isTrue();
    }
  }
}
