package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Values and times as Prometheus writes them. Go's own output for the same values is checked by
 * {@code PrometheusCompatibilityTest}, against the real Prometheus.
 */
class PrometheusFormatTest {
  @Test
  void value_isGosShortestExponentForm() {
    assertThat(PrometheusFormat.value(1)).isEqualTo("1e+00");
    assertThat(PrometheusFormat.value(0.75)).isEqualTo("7.5e-01");
    assertThat(PrometheusFormat.value(-1234.5)).isEqualTo("-1.2345e+03");
    assertThat(PrometheusFormat.value(0.1)).isEqualTo("1e-01");
    assertThat(PrometheusFormat.value(1e100)).isEqualTo("1e+100");
    assertThat(PrometheusFormat.value(Double.MIN_VALUE)).isEqualTo("5e-324");
    assertThat(PrometheusFormat.value(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
    // Java 17's Double.toString writes 2.82879384806159008E17 here; Go the shortest digits.
    assertThat(PrometheusFormat.value(2.82879384806159e17)).isEqualTo("2.82879384806159e+17");
    assertThat(PrometheusFormat.value(0)).isEqualTo("0e+00");
    assertThat(PrometheusFormat.value(-0.0)).isEqualTo("-0e+00");
    assertThat(PrometheusFormat.value(Double.NaN)).isEqualTo("NaN");
    assertThat(PrometheusFormat.value(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(PrometheusFormat.value(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
  }

  @Property(tries = 2000)
  void value_readsBackExactly_withNoMoreDigitsThanNeeded(@ForAll double v) {
    String text = PrometheusFormat.value(v);
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return;
    }
    assertThat(Double.parseDouble(text)).isEqualTo(v);
    int digits = text.replaceAll("^-|e.*$|\\.", "").length();
    // The layout of printf's %e at that precision: mantissa, 'e', sign, at least two exponent digits.
    assertThat(text).isEqualTo(String.format(Locale.ROOT, "%." + (digits - 1) + "e", v));
    if (digits > 1) {
      String shorter = String.format(Locale.ROOT, "%." + (digits - 2) + "e", v);
      assertThat(Double.parseDouble(shorter)).as("%s reads back too", shorter).isNotEqualTo(v);
    }
  }

  @Test
  void time_isRfc3339InUtc_withTheFractionsTrailingZerosDropped_andGosZeroForNever() {
    assertThat(PrometheusFormat.time(Instant.parse("2026-03-01T12:00:00Z").toEpochMilli()))
        .isEqualTo("2026-03-01T12:00:00Z");
    assertThat(PrometheusFormat.time(Instant.parse("2026-03-01T12:00:00.500Z").toEpochMilli()))
        .isEqualTo("2026-03-01T12:00:00.5Z");
    assertThat(PrometheusFormat.time(Instant.parse("2026-03-01T12:00:00.012Z").toEpochMilli()))
        .isEqualTo("2026-03-01T12:00:00.012Z");
    assertThat(PrometheusFormat.time(0)).isEqualTo("0001-01-01T00:00:00Z");
  }

  @Test
  void seconds_areWholeNumbersWhenWhole() {
    assertThat(PrometheusFormat.seconds(120_000)).isEqualTo(120L);
    assertThat(PrometheusFormat.seconds(1_500)).isEqualTo(1.5);
  }
}
