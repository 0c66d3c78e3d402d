package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A group's accumulator: missing values take no part, and a finished one takes nothing more. */
class CombinerTest {
  private static final double NaN = Double.NaN;

  @Test
  void finish_leavesBucketsWithoutValuesMissing() {
    Combiner.Accumulator sum = Combiner.SUM.accumulator(3);
    sum.add(new double[] {1, NaN, -0.0}, null);
    sum.add(new double[] {2, NaN, NaN}, null);

    assertThat(sum.finish()).containsExactly(3, NaN, -0.0);
  }

  @Test
  void finish_keepsTheSignOfASumOfZeros() {
    Combiner.Accumulator sum = Combiner.SUM.accumulator(3);
    sum.add(new double[] {0.0, -0.0, -0.0}, null);
    sum.add(new double[] {NaN, NaN, 0.0}, null);

    assertThat(sum.finish()).containsExactly(0.0, -0.0, 0.0);
  }

  @Test
  void finish_averagesOverTheValuesOfEachBucket() {
    Combiner.Accumulator avg = Combiner.AVG.accumulator(2);
    avg.add(new double[] {1, 4}, null);
    avg.add(new double[] {NaN, 8}, null);
    avg.add(new double[] {NaN, 9}, null);

    assertThat(avg.finish()).containsExactly(1, 7);
  }

  @Test
  void finish_countsAndMediansWhatCame() {
    Combiner.Accumulator count = Combiner.COUNT.accumulator(2);
    Combiner.Accumulator median = Combiner.MEDIAN.accumulator(2);
    for (double[] values : new double[][] {{5, NaN}, {1, NaN}, {3, NaN}, {4, NaN}}) {
      count.add(values, null);
      median.add(values, null);
    }

    assertThat(count.finish()).containsExactly(4, NaN);
    assertThat(median.finish()).containsExactly(3.5, NaN);
  }

  @Test
  void merge_addsWhatTheOtherSawToEachBucket() {
    Combiner.Accumulator sum = Combiner.SUM.accumulator(3);
    sum.add(new double[] {1, NaN, NaN}, null);
    Combiner.Accumulator otherSum = Combiner.SUM.accumulator(3);
    otherSum.add(new double[] {2, 5, NaN}, null);
    Combiner.Accumulator avg = Combiner.AVG.accumulator(2);
    avg.add(new double[] {2, NaN}, null);
    Combiner.Accumulator otherAvg = Combiner.AVG.accumulator(2);
    otherAvg.add(new double[] {4, 6}, null);
    otherAvg.add(new double[] {6, NaN}, null);

    assertThat(sum.merge(otherSum).finish()).containsExactly(3, 5, NaN);
    assertThat(avg.merge(otherAvg).finish()).containsExactly(4, 6);
  }

  @Test
  void finish_leavesEmptyBucketsMissingForEveryCombiner() {
    for (Combiner combiner : Combiner.values()) {
      Combiner.Accumulator accumulator = combiner.accumulator(2);
      accumulator.add(new double[] {3, NaN}, new long[] {1, 0});

      assertThat(accumulator.finish()).as(combiner.name()).containsExactly(combiner == Combiner.COUNT ? 1 : 3, NaN);
    }
  }

  @Test
  void accumulator_finishedTakesNothingMore() {
    Combiner.Accumulator spent = Combiner.MAX.accumulator(1);
    spent.add(new double[] {1}, null);
    spent.finish();
    Combiner.Accumulator live = Combiner.MAX.accumulator(1);

    assertThatThrownBy(() -> spent.add(new double[] {2}, null))
        .isInstanceOf(IllegalStateException.class).hasMessage("accumulator finished already");
    assertThatThrownBy(() -> live.merge(spent))
        .isInstanceOf(IllegalStateException.class).hasMessage("accumulator finished already");
    assertThatThrownBy(spent::finish)
        .isInstanceOf(IllegalStateException.class).hasMessage("accumulator finished already");
  }

  @Test
  void sums_areTheBucketsOfASumThatFinishReads() {
    Combiner.Accumulator sum = Combiner.SUM.accumulator(3);
    // As a sum scan adds increases: one by one into the sums, each counted.
    sum.sums()[0] += 2;
    sum.sums()[0] += 0.5;
    sum.counts()[0] += 2;
    sum.sums()[2] += -0.0;
    sum.counts()[2]++;

    double[] values = sum.finish();

    assertThat(values[0]).isEqualTo(2.5);
    assertThat(values[1]).isNaN();
    assertThat(Double.doubleToRawLongBits(values[2])).isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  @Test
  void sums_onlyForASumThatIsLive() {
    Combiner.Accumulator average = Combiner.AVG.accumulator(1);
    Combiner.Accumulator spent = Combiner.SUM.accumulator(1);
    spent.finish();

    assertThatThrownBy(average::sums)
        .isInstanceOf(IllegalStateException.class).hasMessage("AVG takes values per series, not sums");
    assertThatThrownBy(spent::sums)
        .isInstanceOf(IllegalStateException.class).hasMessage("accumulator finished already");
  }
}
