package io.tocsin.store.wal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DefinedSeriesTest {
  @Test
  void contains_idsAcrossPages_trueOnlyOnceAddedUntilCleared() {
    DefinedSeries defined = new DefinedSeries();
    long[] ids = {0, 1, 63, 64, 4095, 4096, 1_000_000, (1L << 32) - 1, 1L << 32, (1L << 40) - 1};

    for (long id : ids) {
      assertThat(defined.contains(id)).as("%d before its add", id).isFalse();
      defined.add(id);
      assertThat(defined.contains(id)).as("%d after its add", id).isTrue();
    }
    assertThat(defined.contains(2)).isFalse();
    assertThat(defined.contains(4097)).isFalse();
    assertThat(defined.contains((1L << 40) - 2)).isFalse();
    defined.clear();
    for (long id : ids) {
      assertThat(defined.contains(id)).as("%d after clear", id).isFalse();
    }
  }
}
