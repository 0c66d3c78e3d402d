package io.tocsin.rules;

/**
 * When a value breaches and when a firing group may resolve. A value breaches when it is below
 * {@code min} or above {@code max} (strictly); a firing group resolves only with a value within
 * the recovery bounds, which default to the thresholds themselves. Either side may be absent.
 */
public record Thresholds(Double min, Double max, Double recoveryMin, Double recoveryMax) {
  public Thresholds {
    if (min == null && max == null) {
      throw new IllegalArgumentException("at least one of min and max is required");
    }
  }

  public static Thresholds of(Double min, Double max) {
    return new Thresholds(min, max, null, null);
  }

  public boolean breaches(double value) {
    return (min != null && value < min) || (max != null && value > max);
  }

  /** Whether a firing group may resolve at this value. */
  public boolean recovered(double value) {
    double low = recoveryMin != null ? recoveryMin : min != null ? min : Double.NEGATIVE_INFINITY;
    double high = recoveryMax != null ? recoveryMax : max != null ? max : Double.POSITIVE_INFINITY;
    return value >= low && value <= high;
  }

  /** The threshold {@code value} crosses, for messages; the nearest one when it crosses none. */
  public double crossed(double value) {
    if (min != null && (value < min || max == null)) {
      return min;
    }
    return max;
  }
}
