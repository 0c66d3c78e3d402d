package io.tocsin.store;

/**
 * A sample that says "this series has no value from here on" (OTLP's no-recorded-value flag). It
 * is a NaN with a payload no arithmetic produces, the way Prometheus marks staleness, so it travels
 * through the compressed chunks like any value and readers tell it apart from a measured NaN.
 */
public final class StaleMarker {
  public static final long BITS = 0x7ff0000000000002L;
  public static final double VALUE = Double.longBitsToDouble(BITS);

  private StaleMarker() {}

  public static boolean is(double value) {
    return Double.doubleToRawLongBits(value) == BITS;
  }
}
