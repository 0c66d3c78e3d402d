package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.yaml.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LevelParserTest {
  private static final String HEAD = "monitors: [{name: a, metrics: [x as $x], query: [$x], ";

  private static MonitorDefinition parse(String yaml) throws ConfigException {
    return new RuleFiles(name -> null).parse(Map.of("r.yml", yaml)).monitors().get(0);
  }

  private static String errors(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    assertThat(e).as("errors for:%n%s", yaml).isNotNull();
    return e.getMessage();
  }

  @Test
  void levels_areRankedLowestFirst_topLevelThresholdsAreCritical_forDurationDefaultsToTheMonitors() throws Exception {
    MonitorDefinition m = parse("""
        monitors:
          - name: hit rate
            metrics: [x as $x]
            query: [$x]
            min_allowed_value: 0.75
            for_duration: 5m
            levels:
              warning: {min_allowed_value: 0.9, recovery_min_value: 0.92, for_duration: 10m}
              info: {min_allowed_value: 0.95}
        """);

    assertThat(m.hasLevels()).isTrue();
    assertThat(m.levels()).containsExactly(
        new Level("info", Thresholds.of(0.95, null), Duration.ofMinutes(5), 5),
        new Level("warning", new Thresholds(0.9, null, 0.92, null), Duration.ofMinutes(10), 10),
        new Level("critical", Thresholds.of(0.75, null), Duration.ofMinutes(5), 5));
    assertThat(m.thresholds()).isEqualTo(Thresholds.of(0.75, null));
  }

  @Test
  void levelsWithoutTopLevelThresholds_theHighestLevelIsTheMonitorsThresholds() throws Exception {
    MonitorDefinition m = parse(HEAD + "levels: {warning: {max_allowed_value: 80}, error: {max_allowed_value: 95}}}]");

    assertThat(m.levels()).extracting(Level::name).containsExactly("warning", "error");
    assertThat(m.thresholds()).isEqualTo(Thresholds.of(null, 95.0));
  }

  @Test
  void withoutLevels_thereAreNone() throws Exception {
    MonitorDefinition m = parse(HEAD + "min_allowed_value: 1}]");

    assertThat(m.hasLevels()).isFalse();
    assertThat(m.levels()).isEmpty();
  }

  @Test
  void equalThresholds_withALongerForDurationHigher_areAllowed() throws Exception {
    MonitorDefinition m = parse(HEAD + "for_duration: 10m, min_allowed_value: 1, levels: {warning: {min_allowed_value: 1, "
        + "for_duration: 2m}}}]");

    assertThat(m.levels()).extracting(Level::bucketsToFire).containsExactly(2, 10);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "unknown name    | `levels: {warnign: {min_allowed_value: 1}}`"
          + " | r.yml:1:64: unknown level \"warnign\", did you mean 'warning'?; levels are info, warning, error, critical",
      "both critical   | `min_allowed_value: 1, levels: {critical: {min_allowed_value: 2}}`"
          + " | r.yml:1:86: levels.critical and the monitor's min_allowed_value/max_allowed_value both set the critical"
          + " level; keep one",
      "no threshold    | `levels: {warning: {for_duration: 1m}}`"
          + " | r.yml:1:73: levels.warning needs min_allowed_value or max_allowed_value (or both)",
      "unknown key     | `levels: {warning: {min_allowed_value: 1, for_duraton: 1m}}`"
          + " | r.yml:1:96: unknown key \"for_duraton\" in levels.warning, did you mean 'for_duration'?",
      "bad number      | `levels: {warning: {min_allowed_value: x}}`"
          + " | r.yml:1:93: levels.warning.min_allowed_value must be a number, got \"x\"",
      "recovery        | `levels: {warning: {min_allowed_value: 1, recovery_min_value: 0.5}}`"
          + " | r.yml:1:116: levels.warning.recovery_min_value (0.5) must not be below levels.warning.min_allowed_value (1.0)",
      "not a mapping   | `levels: [warning]`"
          + " | r.yml:1:63: levels must be a mapping of level names (info, warning, error, critical) to thresholds,"
          + " got a list",
      "min out of rank | `min_allowed_value: 0.9, levels: {warning: {min_allowed_value: 0.75}}`"
          + " | r.yml:1:12: the monitor's critical level has min_allowed_value 0.9, above levels.warning's 0.75: a higher"
          + " level must take a lower value to breach",
      "max out of rank | `levels: {warning: {max_allowed_value: 90}, error: {max_allowed_value: 80}}`"
          + " | r.yml:1:98: levels.error has max_allowed_value 80.0, below levels.warning's 90.0: a higher level must take"
          + " a higher value to breach",
      "never highest   | `min_allowed_value: 1, levels: {warning: {min_allowed_value: 1}}`"
          + " | r.yml:1:86: levels.warning can never be the highest level: the monitor's critical level breaches at all"
          + " its values and fires as soon; give it other thresholds, or the monitor's critical level a longer"
          + " for_duration (5m or less now)",
      "severity label  | `min_allowed_value: 1, labels: {severity: page}, levels: {warning: {min_allowed_value: 2}}`"
          + " | r.yml:1:85: labels.severity and levels both set the severity label; with levels each alert's severity"
          + " is the level it is at",
  })
  void brokenLevels_reportFileLineColumn(String what, String levels, String message) {
    assertThat(errors(HEAD + levels + "}]")).isEqualTo(message);
  }
}
