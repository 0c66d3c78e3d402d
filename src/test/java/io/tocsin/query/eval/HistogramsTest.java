package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.HistogramSample;
import org.junit.jupiter.api.Test;

class HistogramsTest {
  private static HistogramSample histogram(double[] bounds, double... counts) {
    double total = 0;
    for (double c : counts) {
      total += c;
    }
    return new HistogramSample(total, 0, bounds, counts);
  }

  @Test
  void quantile_interpolatesLinearlyInsideTheBucket() {
    HistogramSample h = histogram(new double[] {1, 5, 10}, 10, 20, 10, 0);
    assertThat(Histograms.quantile(0.5, h)).isEqualTo(3);
    assertThat(Histograms.quantile(0.25, h)).isEqualTo(1);
    assertThat(Histograms.quantile(0.1, h)).isEqualTo(0.4); // the first bucket starts at 0
  }

  @Test
  void quantile_inTheOpenLastBucket_isTheHighestBound() {
    assertThat(Histograms.quantile(0.99, histogram(new double[] {1, 5}, 1, 1, 8))).isEqualTo(5);
  }

  @Test
  void quantile_firstBucketWithANonPositiveBound_isThatBound() {
    assertThat(Histograms.quantile(0.1, histogram(new double[] {-2, 0, 3}, 5, 0, 5, 0))).isEqualTo(-2);
  }

  @Test
  void quantile_emptyHistogram_hasNoValue() {
    assertThat(Histograms.quantile(0.5, histogram(new double[] {1}, 0, 0))).isNaN();
    assertThat(Histograms.quantile(0.5, new HistogramSample(3, 6, new double[0], new double[0]))).isNaN();
  }
}
