package io.tocsin.rulefiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tocsin.rules.AbsentPoints;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.Thresholds;
import io.tocsin.store.MetricKind;
import io.tocsin.yaml.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleFilesTest {
  private final RuleFiles loader = new RuleFiles(Map.of("HOOK", "https://hooks.example/x")::get);

  private RuleSet parse(String text) throws ConfigException {
    return loader.parse(Map.of("r.yml", text));
  }

  private String errors(String text) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(text));
    assertThat(e).as("errors for:%n%s", text).isNotNull();
    return e.getMessage();
  }

  @Test
  void seedRules_loadVerbatim() throws Exception {
    RuleSet rules = loader.load(List.of(Path.of("rules/redis.yml")));

    assertThat(rules.monitors()).extracting(MonitorDefinition::name)
        .containsExactly("Redis shard is down", "Redis read hit rate < 75%");
    MonitorDefinition down = rules.monitors().get(0);
    assertThat(down.id()).isEqualTo("redis-shard-is-down");
    assertThat(down.column()).isEqualTo("$redis_up");
    assertThat(down.thresholds()).isEqualTo(Thresholds.of(1.0, null));
    assertThat(down.forDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(down.groupingInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(down.evaluationDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(down.bucketsToFire()).isEqualTo(5);
    assertThat(down.query().columns().get(0).groupBy()).containsExactly("bdb", "cluster", "node");
    MonitorDefinition hitRate = rules.monitors().get(1);
    assertThat(hitRate.id()).isEqualTo("redis-read-hit-rate-75");
    assertThat(hitRate.column()).isEqualTo("hit_rate");
    assertThat(hitRate.thresholds().min()).isEqualTo(0.75);
    assertThat(hitRate.channels()).isEmpty();
    assertThat(hitRate.source()).isEqualTo("rules/redis.yml:17");
  }

  @Test
  void everyField_isRead() throws Exception {
    RuleSet rules = parse("""
        monitors:
          - name: Disk full
            metrics: [system.filesystem.usage as $fs]
            query: ["$fs{state='used'} / $fs as used group by host.name"]
            column: {name: used, unit: ratio}
            max_allowed_value: 0.9
            recovery_max_value: 0.8
            grouping_interval: 30s
            check_num_point: 4
            evaluation_delay: 5s
            keep_firing_for: 2m
            absent_points: alert
            repeat_interval: 0
            labels: {severity: page}
            annotations: {summary: "Disk {{ .labels.host_name }} is full"}
            channels: [ops]
            paused: true
        channels:
          - {name: ops, type: webhook, url: "${HOOK}"}
        """);
    MonitorDefinition m = rules.monitors().get(0);
    assertThat(m.column()).isEqualTo("used");
    assertThat(m.unit()).isEqualTo("ratio");
    assertThat(m.thresholds()).isEqualTo(new Thresholds(null, 0.9, null, 0.8));
    assertThat(m.forDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(m.evaluationDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(m.keepFiringFor()).isEqualTo(Duration.ofMinutes(2));
    assertThat(m.absentPoints()).isEqualTo(AbsentPoints.ALERT);
    assertThat(m.repeatInterval()).isZero();
    assertThat(m.labels()).isEqualTo(Map.of("severity", "page"));
    assertThat(m.annotations()).containsKey("summary");
    assertThat(m.channels()).containsExactly("ops");
    assertThat(m.paused()).isTrue();
    assertThat(rules.channels()).singleElement().satisfies(c -> {
      assertThat(c.name()).isEqualTo("ops");
      assertThat(c.type()).isEqualTo("webhook");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "unknown key         | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: 1, min_allowed_vale: 1}]`"
          + " | r.yml:1:77: unknown key \"min_allowed_vale\" in monitor, did you mean 'min_allowed_value'?",
      "no threshold        | `monitors: [{name: a, metrics: [x as $x], query: [$x]}]`"
          + " | r.yml:1:12: monitor \"a\" needs min_allowed_value or max_allowed_value (or both)",
      "no name             | `monitors: [{metrics: [x as $x], query: [$x], max_allowed_value: 1}]`"
          + " | r.yml:1:12: a monitor needs a name",
      "bad number          | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: lots}]`"
          + " | r.yml:1:74: max_allowed_value must be a number, got \"lots\"",
      "non-multiple for    | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: 1, for_duration: 90s}]`"
          + " | r.yml:1:91: for_duration (1m30s) must be a whole number of grouping intervals (1m)",
      "negative duration   | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: 1, keep_firing_for: -1m}]`"
          + " | r.yml:1:94: keep_firing_for must not be negative, got -1m",
      "repeat strategy     | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: 1, repeat_strategy: steady}]`"
          + " | r.yml:1:94: repeat_strategy must be fixed, linear or exponential, got \"steady\"",
      "tiny interval       | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: 1, grouping_interval: 500ms}]`"
          + " | r.yml:1:96: grouping_interval must be at least 1s, got 500ms",
      "bad absent mode     | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: 1, absent_points: zeros}]`"
          + " | r.yml:1:92: absent_points must be ignore, zero or alert, got \"zeros\", did you mean 'zero'?",
      "bad metric entry    | `monitors: [{name: a, metrics: [x y], query: [$x], max_allowed_value: 1}]`"
          + " | r.yml:1:34: unexpected 'y'",
      "query error         | `monitors: [{name: a, metrics: [x as $x], query: [\"$x / rat($x)\"], max_allowed_value: 1}]`"
          + " | r.yml:1:56: unknown function 'rat', did you mean 'rate'?",
      "unknown alias       | `monitors: [{name: a, metrics: [x as $x], query: [$y], max_allowed_value: 1}]`"
          + " | r.yml:1:50: unknown metric alias $y, did you mean '$x'?; declared: $x",
      "unknown column      | `monitors: [{name: a, metrics: [x as $x], query: [$x as v], column: w, max_allowed_value: 1}]`"
          + " | r.yml:1:68: column \"w\" is not a column of the query, did you mean 'v'?; columns: v",
      "unknown channel     | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: 1, channels: [slak]}]`"
          + " | r.yml:1:87: unknown channel \"slak\"; no channels are declared",
      "min above max       | `monitors: [{name: a, metrics: [x as $x], query: [$x], min_allowed_value: 2, max_allowed_value: 1}]`"
          + " | r.yml:1:74: min_allowed_value (2.0) is above max_allowed_value (1.0): every value would breach",
      "both for forms      | `monitors: [{name: a, metrics: [x as $x], query: [$x], max_allowed_value: 1, for_duration: 1m, check_num_point: 2}]`"
          + " | r.yml:1:112: check_num_point and for_duration say the same thing; keep one",
      "bad type            | `monitors: [{name: a, type: log, metrics: [x as $x], query: [$x], max_allowed_value: 1}]`"
          + " | r.yml:1:28: monitor type \"log\" is not supported; only metric monitors are",
      "channel type        | `channels: [{name: c, type: slak}]`"
          + " | r.yml:1:28: unknown channel type \"slak\", did you mean 'slack'?; types are alertmanager, discord, email, googlechat, log, mattermost, opsgenie, pagerduty, slack, teams, telegram, webhook",
      "channel key         | `channels: [{name: c, type: slack, webhook: x}]`"
          + " | r.yml:1:35: unknown key \"webhook\" in channel",
      "top-level key       | `monitor: []`"
          + " | r.yml:1:1: unknown key \"monitor\", did you mean 'monitors'?",
  })
  void brokenRules_reportFileLineColumn(String what, String yaml, String message) {
    assertThat(errors(yaml)).isEqualTo(message);
  }

  @Test
  void groupByListSplitByYaml_getsAHint() {
    assertThat(errors("monitors: [{name: a, metrics: [x as $x], query: [group by a, b, $x], max_allowed_value: 1}]"))
        .isEqualTo("r.yml:1:62: unknown column 'b'; if it belongs to the group by before it, quote that item: "
            + "YAML splits [a, b] lists at commas");
  }

  @Test
  void multiLineFiles_pointIntoTheQueryLine() {
    String yaml = """
        monitors:
          - name: a
            metrics:
              - x as $x
            query:
              - group by host
              - "$x * nope($x)"
            max_allowed_value: 1
        """;
    assertThat(errors(yaml)).isEqualTo("r.yml:7:15: unknown function 'nope'");
  }

  @Test
  void aDuplicateWithOtherErrors_andEveryQueryErrorOfAMonitor_areAllReported() {
    String yaml = """
        monitors:
          - name: a
            metrics: [redis_up]
            query: [$redis_up]
            min_allowed_value: 1
          - name: a
            metrics: [redis_up as $up]
            query: [$up, nosuchfn($up) as x, $nope as y, x + 1 as z]
            min_allowed_value: 1
        """;
    assertThat(errors(yaml).lines()).containsExactly(
        "r.yml:3:15: metric 'redis_up' needs an alias, e.g. 'redis_up as $redis_up'",
        "r.yml:6:11: duplicate monitor name \"a\" (first at r.yml:2:5)",
        "r.yml:8:18: unknown function 'nosuchfn'",
        "r.yml:8:38: unknown metric alias $nope; declared: $up");
  }

  @Test
  void everyProblem_isReported_inFileOrder() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("a.yml", "monitors:\n  - {name: dup, metrics: [x as $x], query: [$x], max_allowed_value: 1}\n");
    files.put("b.yml", "monitors:\n  - {name: dup, metrics: [x as $x], query: [$x], max_allowed_value: 1}\n"
        + "  - {name: bad, metrics: [x as $x], query: [$x]}\n");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse(files));
    assertThat(e.getMessage().lines()).containsExactly(
        "b.yml:2:12: duplicate monitor name \"dup\" (first at a.yml:2:5)",
        "b.yml:3:5: monitor \"bad\" needs min_allowed_value or max_allowed_value (or both)");
  }

  @Test
  void resolve_expandsGlobsRelativeToTheBase(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("rules/team"));
    Files.writeString(dir.resolve("rules/a.yml"), "");
    Files.writeString(dir.resolve("rules/b.yaml"), "");
    Files.writeString(dir.resolve("rules/team/c.yml"), "");
    Files.writeString(dir.resolve("rules/notes.txt"), "");

    assertThat(RuleFiles.resolve(dir, List.of("rules/*.yml"))).containsExactly(dir.resolve("rules/a.yml"));
    assertThat(RuleFiles.resolve(dir, List.of("rules/**.y*ml", "rules/a.yml")))
        .containsExactly(dir.resolve("rules/a.yml"), dir.resolve("rules/b.yaml"), dir.resolve("rules/team/c.yml"));
    assertThat(RuleFiles.resolve(dir, List.of("missing/*.yml"))).isEmpty();
    assertThat(RuleFiles.expand(List.of(dir.resolve("rules"))))
        .containsExactly(dir.resolve("rules/a.yml"), dir.resolve("rules/b.yaml"));
  }

  @Test
  void datasource_translatesTheQueryWithItsKinds() throws Exception {
    RuleFiles known = loader.withDatasources(Map.of("vm", Map.of("redis_hits", MetricKind.COUNTER)));
    RuleSet rules = known.parse(Map.of("r.yml",
        "monitors: [{name: a, datasource: vm, metrics: [redis_hits as $h], query: [\"rate($h[5m])\"], max_allowed_value: 1}]"));
    assertThat(rules.monitors().get(0).datasource()).isEqualTo("vm");
  }

  @Test
  void datasource_untranslatableConstruct_isAnErrorAtItsPlace() {
    String yaml = """
        monitors:
          - name: a
            datasource: vm
            metrics: [mem as $m]
            query:
              - where host = a or host = b
              - $m
            max_allowed_value: 1
        """;
    assertThat(errors(yaml)).isEqualTo("r.yml:6:15: datasource vm: 'or' between conditions has no PromQL label "
        + "matcher; for one attribute write it as 'in (...)' or a regular expression, such as host ~ \"^(a|b)$\"");
  }

  @Test
  void datasource_unknownName_isAnErrorWithAHintWhereDatasourcesAreKnown() {
    RuleFiles known = loader.withDatasources(Map.of("victoria", Map.of(), "prom", Map.of()));
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> known.parse(Map.of("r.yml",
        "monitors: [{name: a, datasource: victria, metrics: [x as $x], query: [$x], max_allowed_value: 1}]")));
    assertThat(e.getMessage()).isEqualTo("r.yml:1:34: unknown datasource \"victria\", did you mean 'victoria'?; "
        + "declared: prom, victoria");
  }
}
