package io.tocsin.util;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Numbers#format} takes a shortcut for short decimals in plain notation; it must write
 * exactly what {@code %.6g} without trailing zeros writes, for any double.
 */
class NumbersPropertiesTest {
  @Property(tries = 3000)
  void format_isTheSixDigitGeneralFormat_withoutTrailingZeros(@ForAll("values") double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15 || Double.isNaN(v) || Double.isInfinite(v)) {
      return; // whole numbers, NaN and infinities are written without %g
    }
    assertThat(Numbers.format(v)).isEqualTo(Numbers.formatted(v));
  }

  /** Short decimals as alerts carry them (ratios, percentages, thresholds), around the notation's edges, and any double. */
  @Provide
  Arbitrary<Double> values() {
    Arbitrary<Double> shortDecimals = Arbitraries.integers().between(-9_999_999, 9_999_999)
        .flatMap(n -> Arbitraries.integers().between(0, 12).map(scale -> n / Math.pow(10, scale)));
    Arbitrary<Double> edges = Arbitraries.of(1e-4, 9.99999e-5, 0.000099999949, 0.00010000049, 999999.5, 999999.4,
        999999.49999, 123456.5, 0.1 + 0.2, 1.0 / 3, -2.0 / 3, 0.0001, -0.0001, 999999.9, 0.658, 12.5, 0.75, 1.5e-7, 99.9999999);
    return Arbitraries.oneOf(shortDecimals, edges, Arbitraries.doubles(), Arbitraries.doubles().between(-1e7, 1e7));
  }
}
