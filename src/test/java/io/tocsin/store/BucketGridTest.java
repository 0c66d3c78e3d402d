package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BucketGridTest {
  @Test
  void endingAt_alignsToTheEpochAndEndsAtOrBeforeTheTime() {
    BucketGrid grid = BucketGrid.endingAt(125_000, 60_000, 2);
    assertThat(grid.startMs()).isZero();
    assertThat(grid.endMs()).isEqualTo(120_000);
  }

  @Test
  void indexOf_isHalfOpen() {
    BucketGrid grid = new BucketGrid(60_000, 60_000, 2);
    assertThat(grid.indexOf(59_999)).isEqualTo(-1);
    assertThat(grid.indexOf(60_000)).isZero();
    assertThat(grid.indexOf(119_999)).isZero();
    assertThat(grid.indexOf(120_000)).isEqualTo(1);
    assertThat(grid.indexOf(180_000)).isEqualTo(-1);
  }
}
