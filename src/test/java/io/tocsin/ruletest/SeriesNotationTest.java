package io.tocsin.ruletest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeriesNotationTest {
  @Test
  void parseValues_expandsEveryNotation() {
    assertThat(SeriesNotation.parseValues("1 1 0x3")).containsExactly(1.0, 1.0, 0.0, 0.0, 0.0, 0.0);
    assertThat(SeriesNotation.parseValues("0+100x3")).containsExactly(0.0, 100.0, 200.0, 300.0);
    assertThat(SeriesNotation.parseValues("10-2x2 _ 5")).containsExactly(10.0, 8.0, 6.0, Double.NaN, 5.0);
    assertThat(SeriesNotation.parseValues("-1.5x1")).containsExactly(-1.5, -1.5);
    List<Double> stale = SeriesNotation.parseValues("1 stale");
    assertThat(SeriesNotation.isStale(stale.get(1))).isTrue();
    assertThat(SeriesNotation.isStale(Double.NaN)).isFalse();
  }

  @Test
  void parseValues_badTerm_saysWhatIsExpected() {
    assertThatThrownBy(() -> SeriesNotation.parseValues("1 two"))
        .hasMessage("cannot read \"two\": expected a number, _, stale, a+bxn or axn");
  }

  @Test
  void parseValues_nan_isRefusedPointingAtUnderscoreAndStale() {
    for (String nan : List.of("1 NaN", "nan 1")) {
      assertThatThrownBy(() -> SeriesNotation.parseValues(nan)).as(nan)
          .hasMessage("cannot read \"" + nan.replace("1", "").strip() + "\": a NaN sample is a bucket without a value"
              + " to a monitor; write _ for no sample, or stale for a stale marker");
    }
  }

  @Test
  void parseSeries_readsNameAndLabels() {
    assertThat(SeriesNotation.parseSeries("redis_up{cluster=\"c1\", bdb=\"1\",node=\"n\\\"1\"}"))
        .isEqualTo(new SeriesNotation.Series("redis_up", Map.of("cluster", "c1", "bdb", "1", "node", "n\"1")));
    assertThat(SeriesNotation.parseSeries("redis.up").labels()).isEmpty();
    assertThatThrownBy(() -> SeriesNotation.parseSeries("up{node=n1}"))
        .hasMessage("cannot read the labels of \"up{node=n1}\": expected label=\"value\"");
  }
}
