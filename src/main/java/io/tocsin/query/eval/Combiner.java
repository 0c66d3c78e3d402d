package io.tocsin.query.eval;

import io.tocsin.store.BucketSums;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the values of several series (or groups) in one group become one value per bucket.
 * Missing values take no part; a bucket where every value is missing stays missing.
 */
enum Combiner {
  SUM, AVG, MIN, MAX, COUNT, MEDIAN,
  /** The value with the latest sample time: the most recent reading in the group. */
  LAST;

  static Combiner forFunction(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  Accumulator accumulator(int buckets) {
    return new Accumulator(this, buckets);
  }

  /**
   * The per-bucket state of one group. A SUM's sums and counts are the buckets of a {@link
   * io.tocsin.store.SeriesStore#scanSums}. Not thread-safe.
   */
  static final class Accumulator implements BucketSums {
    private final Combiner combiner;
    private final double[] value;
    private final int[] count;
    private final long[] time;
    private final double[][] samples;
    /** Set by {@link #finish}, after which the value array may be the result's. */
    private boolean spent;

    private Accumulator(Combiner combiner, int buckets) {
      this.combiner = combiner;
      this.value = new double[buckets];
      if (combiner == SUM || combiner == AVG) {
        Arrays.fill(value, -0.0); // adding to -0.0 gives the value added, whatever it is, +0.0 too
      }
      this.count = new int[buckets];
      this.time = combiner == LAST ? new long[buckets] : null;
      this.samples = combiner == MEDIAN ? new double[buckets][] : null;
    }

    /** Adds one series' values; {@code times} (only for LAST) says when each was sampled. */
    void add(double[] values, long[] times) {
      add(values, times, 0);
    }

    /** Like {@link #add(double[], long[])} with the series' values from {@code at} on in the arrays. */
    void add(double[] values, long[] times, int at) {
      checkLive();
      if (combiner == SUM || combiner == AVG) { // most aggregations: a loop without the switch, once per series
        for (int i = 0; i < value.length; i++) {
          double v = values[at + i];
          if (!Double.isNaN(v)) {
            value[i] += v;
            count[i]++;
          }
        }
        return;
      }
      for (int i = 0; i < value.length; i++) {
        double v = values[at + i];
        if (Double.isNaN(v)) {
          continue;
        }
        int n = count[i]++;
        switch (combiner) {
          case SUM, AVG -> value[i] = n == 0 ? v : value[i] + v;
          case MIN -> value[i] = n == 0 ? v : Math.min(value[i], v);
          case MAX -> value[i] = n == 0 ? v : Math.max(value[i], v);
          case COUNT -> { }
          case MEDIAN -> {
            double[] s = samples[i];
            if (s == null || n == s.length) {
              samples[i] = s = s == null ? new double[4] : Arrays.copyOf(s, n * 2);
            }
            s[n] = v;
          }
          case LAST -> {
            long t = times == null ? 0 : times[at + i];
            if (n == 0 || t >= time[i]) {
              value[i] = v;
              time[i] = t;
            }
          }
        }
      }
    }

    @Override
    public double[] sums() {
      checkLive();
      if (combiner != SUM) {
        throw new IllegalStateException(combiner + " takes values per series, not sums");
      }
      return value;
    }

    @Override
    public int[] counts() {
      sums();
      return count;
    }

    /** Folds in what another accumulator of the same group saw; returns this. */
    Accumulator merge(Accumulator other) {
      checkLive();
      other.checkLive();
      for (int i = 0; i < value.length; i++) {
        int n = other.count[i];
        if (n == 0) {
          continue;
        }
        int mine = count[i];
        switch (combiner) {
          case SUM, AVG -> value[i] = mine == 0 ? other.value[i] : value[i] + other.value[i];
          case MIN -> value[i] = mine == 0 ? other.value[i] : Math.min(value[i], other.value[i]);
          case MAX -> value[i] = mine == 0 ? other.value[i] : Math.max(value[i], other.value[i]);
          case COUNT -> { }
          case MEDIAN -> {
            double[] s = samples[i] == null ? new double[n] : Arrays.copyOf(samples[i], mine + n);
            System.arraycopy(other.samples[i], 0, s, mine, n);
            samples[i] = s;
          }
          case LAST -> {
            if (mine == 0 || other.time[i] >= time[i]) {
              value[i] = other.value[i];
              time[i] = other.time[i];
            }
          }
        }
        count[i] = mine + n;
      }
      return this;
    }

    /**
     * The group's value per bucket, missing where no value came. Spends the accumulator, which
     * may give its own array as the result: an evaluation over many groups would otherwise copy
     * each of them once more on its serial path.
     */
    double[] finish() {
      checkLive();
      spent = true;
      double[] result = combiner == COUNT || combiner == MEDIAN ? new double[value.length] : value;
      for (int i = 0; i < result.length; i++) {
        int n = count[i];
        if (combiner == COUNT) {
          result[i] = n == 0 ? Double.NaN : n;
        } else if (n == 0) {
          result[i] = Double.NaN;
        } else if (combiner == AVG) {
          result[i] = value[i] / n;
        } else if (combiner == MEDIAN) {
          double[] s = Arrays.copyOf(samples[i], n);
          Arrays.sort(s);
          result[i] = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }
      }
      return result;
    }

    private void checkLive() {
      if (spent) {
        throw new IllegalStateException("accumulator finished already");
      }
    }
  }
}
