package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HistogramSampleTest {
  @Test
  void merge_sameLayout_addsBucketwise() {
    double[] bounds = {1, 5};
    HistogramSample a = new HistogramSample(3, 6, bounds, new double[] {1, 1, 1});
    HistogramSample b = new HistogramSample(2, 4, bounds, new double[] {0, 2, 0});
    assertThat(HistogramSample.merge(a, b))
        .isEqualTo(new HistogramSample(5, 10, bounds, new double[] {1, 3, 1}));
  }

  @Test
  void merge_differentLayouts_keepsEveryCountAtItsUpperBound() {
    HistogramSample a = new HistogramSample(3, 6, new double[] {1, 5}, new double[] {1, 1, 1});
    HistogramSample b = new HistogramSample(4, 8, new double[] {2, 5}, new double[] {2, 1, 1});
    HistogramSample merged = HistogramSample.merge(a, b);
    assertThat(merged.bounds()).containsExactly(1, 2, 5);
    assertThat(merged.counts()).containsExactly(1, 2, 2, 2);
    assertThat(merged.count()).isEqualTo(7);
  }

  @Test
  void merge_withUnknownSum_hasUnknownSum() {
    double[] bounds = {1};
    HistogramSample a = new HistogramSample(1, Double.NaN, bounds, new double[] {1, 0});
    HistogramSample b = new HistogramSample(1, 3, bounds, new double[] {0, 1});
    assertThat(HistogramSample.merge(a, b).sum()).isNaN();
  }

  @Test
  void constructor_countsNotMatchingBounds_isRejected() {
    assertThatThrownBy(() -> new HistogramSample(1, 1, new double[] {1, 2}, new double[] {1, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a histogram with 2 bounds needs 3 bucket counts, got 2");
  }
}
