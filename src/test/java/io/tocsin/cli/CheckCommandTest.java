package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckCommandTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int check(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "check";
    System.arraycopy(args, 0, all, 1, args.length);
    return new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(all);
  }

  @Test
  void check_shippedRules_exit0WithASummary() {
    assertThat(check("rules")).isZero();
    assertThat(out.toString()).isEqualTo("1 file: 2 monitors, 0 channels\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void check_routingWarnings_arePrintedWithPositions_andStillExit0() throws Exception {
    Path file = dir.resolve("routes.yml");
    Files.writeString(file, """
        channels:
          - {name: pager, type: log}
          - {name: chat, type: log}
          - {name: email, type: log}
        routes:
          - channels: [chat]
          - matchers: ['severity="critical"']
            channels: [pager]
        """);

    assertThat(check(file.toString())).isZero();
    assertThat(err.toString().lines()).containsExactly(
        file + ":7:5: warning: route root/1 is never reached: route root/0 (" + file + ":6:5) matches every alert and "
            + "has no continue: true",
        file + ":6:5: warning: channel \"email\" is not used by any route or monitor");
    assertThat(out.toString()).isEqualTo("1 file: 0 monitors, 3 channels, 2 warnings\n");
  }

  @Test
  void check_brokenMessageTemplates_areErrorsAtTheLineTheyBreakOn() throws Exception {
    Path file = dir.resolve("templates.yml");
    Files.writeString(file, """
        channels:
          - name: chat
            type: slack
            webhook_url: https://hooks.slack.com/services/T0/B0/secret
            title: "{{monitor.name}"
            text: |
              Firing:
              {{#firing}}{{labels.node}}
          - {name: hook, type: webhook, url: "https://hooks.example.com/x", body: "{{#alerts}}"}
        """);

    assertThat(check(file.toString())).isEqualTo(1);
    assertThat(err.toString().lines()).containsExactly(
        file + ":5:13: title of channel \"chat\": invalid template: Improperly closed variable",
        file + ":8:7: text of channel \"chat\": invalid template: Failed to close 'firing' tag",
        file + ":9:76: body of channel \"hook\": invalid template: Failed to close 'alerts' tag");
  }

  @Test
  void check_brokenFiles_printEveryErrorAndExit1() throws Exception {
    Path a = dir.resolve("a.yml");
    Files.writeString(a, "monitors:\n  - name: x\n    metrics: [up as $up]\n    query: [$up]\n");
    Path b = dir.resolve("b.yml");
    Files.writeString(b, "monitors:\n  - name: y\n    metrics: [up as $up]\n    query: [$down]\n    max_allowed_value: 1\n");

    assertThat(check(dir.toString())).isEqualTo(1);
    assertThat(err.toString().lines()).containsExactly(
        a + ":2:5: monitor \"x\" needs min_allowed_value or max_allowed_value (or both)",
        b + ":4:13: unknown metric alias $down; declared: $up");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void check_anchorsAliasesAndMergeKeys_areExpandedLikeInPrometheusRuleFiles() throws Exception {
    Path rules = dir.resolve("anchors.yml");
    Files.writeString(rules, """
        monitors:
          - &shard
            name: Shard down
            metrics: [redis_up as $up]
            query: [group by node, $up]
            for_duration: 5m
            min_allowed_value: 1
            labels: {severity: &severity page}
          - <<: *shard
            name: Shard down for long
            for_duration: 1h
            annotations: {summary: *severity}
          - <<: *shard
            name: Shard down elsewhere
            query: [group by node, $down]
        """);

    assertThat(check(rules.toString())).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(rules + ":15:28: unknown metric alias $down; declared: $up\n");

    Files.writeString(rules, Files.readString(rules).replace("$down", "$up"));
    err.getBuffer().setLength(0);
    assertThat(check(rules.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("1 file: 3 monitors, 0 channels\n");
  }

  @Test
  void check_missingPath_exit1() {
    assertThat(check("nope.yml")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("nope.yml: no such file or directory\n");
  }

  @Test
  void check_hostileYaml_isRefusedQuicklyWithPositions() throws Exception {
    Path longLine = dir.resolve("line.yml");
    Files.writeString(longLine, "monitors: []\n# " + "x".repeat(300_000) + "\n");
    Path laughs = dir.resolve("laughs.yml");
    StringBuilder bomb = new StringBuilder("monitors: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char name = 'b'; name <= 'j'; name++) {
      bomb.append(name).append(": &").append(name).append(" [").append(("*" + (char) (name - 1) + ", ").repeat(8))
          .append('*').append((char) (name - 1)).append("]\n");
    }
    Files.writeString(laughs, bomb);
    Path deep = dir.resolve("deep.yml");
    Files.writeString(deep, "monitors: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n");

    int exit = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> check(dir.toString()));

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().lines()).containsExactly(
        deep + ":1:75: nesting deeper than 64 levels",
        laughs + ":6:8: YAML aliases expand to more than 100000 values; refusing the file (write the repeated values"
            + " out, or alias fewer of them)",
        longLine + ":2:1: line longer than 262144 characters; break long values over several lines");
  }

  @Test
  void check_ruleFileOverTheSizeLimit_isRefusedBeforeParsing() throws Exception {
    Path huge = dir.resolve("huge.yml");
    Files.writeString(huge, "monitors:\n  - name: " + "x".repeat(20_000_000) + "\n");

    int exit = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> check(huge.toString()));

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(
        huge + ":1:1: rule file is larger than the limit of 4 MiB (4194304 bytes)\n");
  }
}
