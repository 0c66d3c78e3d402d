package io.tocsin.ruletest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.tocsin.cli.Main;
import io.tocsin.yaml.ConfigException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RuleTestRunnerTest {
  @TempDir
  Path dir;

  @Test
  void shippedExampleTests_pass() throws Exception {
    List<RuleTestRunner.Result> results = RuleTestRunner.run(Path.of("rules/tests/redis.yml"));

    assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.failures()).as(r.name()).isEmpty());
  }

  private Path testFile(String body) throws Exception {
    Files.writeString(dir.resolve("rules.yml"), """
        monitors:
          - name: Shard down
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: 2m
            annotations: {summary: "{{labels.node}} is down ({{value}})"}
        """);
    Path test = dir.resolve("test.yml");
    Files.writeString(test, "rule_files: [rules.yml]\ntests:\n" + body.indent(2));
    return test;
  }

  @Test
  void wrongExpectation_failsWithAReadableDiff() throws Exception {
    Path test = testFile("""
        - name: wrong
          input_series:
            - {series: 'redis_up{node="a"}', values: '0x3'}
            - {series: 'redis_up{node="b"}', values: '1 0 0'}
          alert_rule_test:
            - eval_time: 2m
              monitor: Shard down
              exp_alerts:
                - exp_labels: {node: a}
                - exp_labels: {node: c}
                  exp_state: pending
        """);
    StringWriter out = new StringWriter();
    int exit = new CommandLine(new Main()).setOut(new PrintWriter(out, true)).execute("test", test.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).isEqualTo("""
        FAIL wrong
          at 2m, monitor "Shard down":
            expected:
              firing {node="a"}
              pending {node="c"}
            got:
              firing {node="a"}
              pending {node="b"}
        1 test, 1 failed
        """);
  }

  @Test
  void levels_aFiringAlertCarriesItsLevelAsSeverity() throws Exception {
    Files.writeString(dir.resolve("levels.yml"), """
        monitors:
          - name: Shard health
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 0.5
            for_duration: 1m
            levels: {warning: {min_allowed_value: 1}}
        """);
    Path test = dir.resolve("levels-test.yml");
    Files.writeString(test, """
        rule_files: [levels.yml]
        tests:
          - name: levels
            input_series:
              - {series: 'redis_up{node="a"}', values: '0.7 0.2 0.7'}
            alert_rule_test:
              - {eval_time: 1m, monitor: Shard health, exp_alerts: [{exp_labels: {node: a, severity: warning}}]}
              - {eval_time: 2m, monitor: Shard health, exp_alerts: [{exp_labels: {node: a, severity: critical}}]}
              - {eval_time: 3m, monitor: Shard health, exp_alerts: [{exp_labels: {node: a, severity: critical}}]}
        """);

    List<RuleTestRunner.Result> results = RuleTestRunner.run(test);

    assertThat(results).singleElement().satisfies(r -> assertThat(r.failures()).containsExactly("""
        at 3m, monitor "Shard health":
            expected:
              firing {node="a", severity="critical"}
            got:
              firing {node="a", severity="warning"}"""));
  }

  @Test
  void annotations_areRenderedAndCompared() throws Exception {
    Path test = testFile("""
        - name: annotations
          input_series:
            - {series: 'redis_up{node="a"}', values: '0x3'}
          alert_rule_test:
            - eval_time: 3m
              monitor: Shard down
              exp_alerts:
                - exp_labels: {node: a}
                  exp_annotations: {summary: "a is down (0)"}
            - eval_time: 3m
              monitor: Shard down
              exp_alerts:
                - exp_labels: {node: a}
                  exp_annotations: {summary: "a is up"}
        """);
    List<RuleTestRunner.Result> results = RuleTestRunner.run(test);

    assertThat(results).singleElement().satisfies(r -> assertThat(r.failures()).containsExactly("""
        at 3m, monitor "Shard down":
            expected:
              firing {node="a"} {summary=a is up}
            got:
              firing {node="a"} {summary=a is down (0)}"""));
  }

  @Test
  void anchorsAndAliases_inTestFiles_areExpanded() throws Exception {
    Path test = testFile("""
        - name: pending
          input_series: &down
            - {series: 'redis_up{node="a"}', values: '0x3'}
          alert_rule_test:
            - &check {eval_time: 1m, monitor: Shard down, exp_alerts: [{exp_labels: {node: a}, exp_state: pending}]}
        - name: firing
          input_series: *down
          alert_rule_test:
            - <<: *check
              eval_time: 2m
              exp_alerts: [{exp_labels: {node: a}}]
        """);

    assertThat(RuleTestRunner.run(test)).extracting(RuleTestRunner.Result::name, RuleTestRunner.Result::failures)
        .containsExactly(tuple("pending", List.of()), tuple("firing", List.of()));
  }

  @Test
  void alertname_isTheMonitorUnderItsPromtoolName() throws Exception {
    Path test = testFile("""
        - name: promtool port
          input_series:
            - {series: 'redis_up{node="a"}', values: '0x3'}
          alert_rule_test:
            - {eval_time: 2m, alertname: Shard down, exp_alerts: [{exp_labels: {node: a}}]}
            - {eval_time: 1m, alertname: Shard down, exp_alerts: []}
        """);
    assertThat(RuleTestRunner.run(test).get(0).failures()).containsExactly("""
        at 1m, monitor "Shard down":
            expected: nothing
            got:
              pending {node="a"}""");

    Path both = testFile("""
        - name: both
          alert_rule_test:
            - {eval_time: 1m, monitor: Shard down, alertname: Shard down}
        """);
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> RuleTestRunner.run(both));
    assertThat(e.getMessage()).isEqualTo(both + ":5:57: give monitor or alertname (its promtool name), not both");
  }

  @Test
  void expLabels_mayAddTheMonitorsStaticLabels() throws Exception {
    Path test = testFile("""
        - name: static labels
          input_series:
            - {series: 'redis_up{node="a"}', values: '0x3'}
            - {series: 'redis_up{node="b"}', values: '0x3'}
          alert_rule_test:
            - eval_time: 3m
              monitor: Shard down
              exp_alerts:
                - exp_labels: {node: a}
                - exp_labels: {node: b, team: db, severity: page, alertname: Shard down}
            - eval_time: 3m
              alertname: Shard down
              exp_alerts:
                - exp_labels: {node: a, severity: critical}
                - exp_labels: {node: b, team: app}
        """);
    Files.writeString(dir.resolve("rules.yml"), Files.readString(dir.resolve("rules.yml"))
        + "    labels: {severity: page, team: db}\n");

    assertThat(RuleTestRunner.run(test)).singleElement().satisfies(r -> assertThat(r.failures()).containsExactly("""
        at 3m, monitor "Shard down":
            expected:
              firing {node="a", severity="critical", team="db"}
              firing {node="b", severity="page", team="app"}
            got:
              firing {node="a", severity="page", team="db"}
              firing {node="b", severity="page", team="db"}"""));
  }

  @Test
  void queryTest_comparesEveryGroupsValueWithinATolerance() throws Exception {
    Files.writeString(dir.resolve("rules.yml"), """
        monitors:
          - name: Hit rate
            metrics: [hits as $hits, misses as $misses]
            query: [group by node, $hits / ($hits + $misses) as hit_rate]
            min_allowed_value: 0.75
        """);
    Path test = dir.resolve("test.yml");
    Files.writeString(test, """
        rule_files: [rules.yml]
        tests:
          - name: values
            input_series:
              - {series: 'hits{node="a"}', type: counter, values: '0+1x5'}
              - {series: 'misses{node="a"}', type: counter, values: '0+2x5'}
              - {series: 'hits{node="b"}', type: counter, values: '0+3x5'}
              - {series: 'misses{node="b"}', type: counter, values: '0+1x5'}
            query_test:
              - eval_time: 3m
                monitor: Hit rate
                exp_values:
                  - {labels: {node: a}, value: 0.3333333}
                  - {labels: {node: b}, value: 0.75}
              - eval_time: 3m
                alertname: Hit rate
                tolerance: 0.01
                exp_values:
                  - {labels: {node: b}, value: 0.75}
                  - {labels: {node: a}, value: 0.33}
              - eval_time: 4m
                monitor: Hit rate
                exp_values:
                  - {labels: {node: a}, value: 0.33}
                  - {labels: {node: c}, value: 1}
              - eval_time: 4m
                monitor: Hit rat
                exp_values: []
        """);

    assertThat(RuleTestRunner.run(test)).singleElement().satisfies(r -> assertThat(r.failures()).containsExactly("""
        at 4m, monitor "Hit rate" values:
            expected:
              {node="a"} 0.33
              {node="c"} 1
            got:
              {node="a"} 0.3333333333333333
              {node="b"} 0.75""",
        "at 4m, monitor \"Hit rat\" values: no such monitor, did you mean \"Hit rate\"?; monitors: \"Hit rate\""));
  }

  @Test
  void queryTest_badEntries_areReportedWithPositions() throws Exception {
    Path test = testFile("""
        - name: bad values
          query_test:
            - eval_time: 1m
              monitor: Shard down
              tolerance: -1
              exp_values:
                - {labels: {node: a}, value: lots}
                - {labels: {node: b}}
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> RuleTestRunner.run(test));
    assertThat(e.getMessage().lines()).containsExactly(
        test + ":7:20: tolerance must be at least 0",
        test + ":9:40: value must be a number, got \"lots\"",
        test + ":10:13: each exp_values entry needs a value");
  }

  @Test
  void unknownMonitorAndBadFile_areReported() throws Exception {
    Path test = testFile("""
        - name: typo
          alert_rule_test:
            - {eval_time: 1m, monitor: Shard dwn, exp_alerts: []}
        """);
    assertThat(RuleTestRunner.run(test).get(0).failures())
        .containsExactly("at 1m, monitor \"Shard dwn\": no such monitor, did you mean \"Shard down\"?;"
            + " monitors: \"Shard down\"");

    Path broken = testFile("""
        - name: broken
          input_series:
            - {series: 'redis_up{node="a"}', values: '1 two', type: gauge}
            - {series: 'redis_up', values: '1', type: histogram}
            - {series: 'redis_up{node="b"}', values: '1 NaN 1'}
        """);
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> RuleTestRunner.run(broken));
    assertThat(e.getMessage().lines()).containsExactly(
        broken + ":5:9: cannot read \"two\": expected a number, _, stale, a+bxn or axn",
        broken + ":6:49: type must be gauge, counter, delta_counter or additive, got \"histogram\"",
        broken + ":7:9: cannot read \"NaN\": a NaN sample is a bucket without a value to a monitor; write _ for no"
            + " sample, or stale for a stale marker");
  }
}
