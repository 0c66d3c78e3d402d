package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TestCommandTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int test(Path... files) {
    String[] args = new String[files.length + 1];
    args[0] = "test";
    for (int i = 0; i < files.length; i++) {
      args[i + 1] = files[i].toString();
    }
    return new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
  }

  private Path testFile(String name, String tests) throws Exception {
    Files.writeString(dir.resolve("rules.yml"), """
        monitors:
          - name: Shard down
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: 2m
        """);
    Path file = dir.resolve(name);
    Files.writeString(file, "rule_files: [rules.yml]\ntests:\n" + tests.indent(2));
    return file;
  }

  private static final String DOWN = """
      - name: %s
        input_series:
          - {series: 'redis_up{node="a"}', type: gauge, values: '0x3'}
        alert_rule_test:
          - {eval_time: 2m, monitor: Shard down, exp_alerts: [{exp_labels: {node: a}, exp_state: %s}]}
      """;

  @Test
  void test_aFileWithAFormatError_doesNotStopTheOthers() throws Exception {
    Path first = testFile("first.yml", DOWN.formatted("fires", "firing"));
    Path broken = testFile("broken.yml", DOWN.formatted("broken", "firing").replace("0x3", "0 x3"));
    Path last = testFile("last.yml", DOWN.formatted("pending", "pending"));

    int exit = test(first, broken, last);

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).isEqualTo(first + ":\nPASS fires\n"
        + broken + ":\nERROR " + broken + ": 1 error, no tests run\n"
        + last + ":\nFAIL pending\n"
        + "  at 2m, monitor \"Shard down\":\n    expected:\n      pending {node=\"a\"}\n    got:\n      firing {node=\"a\"}\n"
        + "2 tests, 1 failed, 1 file with errors\n");
    assertThat(err.toString()).isEqualTo(
        broken + ":5:9: cannot read \"x3\": expected a number, _, stale, a+bxn or axn\n");
  }

  @Test
  void test_onlyAFileWithErrors_exits1() throws Exception {
    Path broken = testFile("broken.yml", "- name: x\n  interval: 0s\n");

    assertThat(test(broken)).isEqualTo(1);
    assertThat(out.toString()).isEqualTo("ERROR " + broken + ": 1 error, no tests run\n0 tests, 0 failed, 1 file with errors\n");
  }

  @Test
  void test_seriesNamedLikeACounterWithoutType_warns() throws Exception {
    Path file = testFile("counters.yml", """
        - name: a promtool port
          input_series:
            - {series: 'redis_up{node="a"}', values: '1'}
            - {series: 'redis_keyspace_hits_total{node="a"}', values: '0+10x3'}
            - {series: 'redis_keyspace_misses', values: '0+1x3'}
            - {series: 'total_commands_processed', values: '0+1x3'}
            - {series: 'redis_requests_count', type: gauge, values: '0+1x3'}
            - {series: 'redis_hits_ratio', values: '0.5'}
        """);

    assertThat(test(file)).isZero();
    assertThat(err.toString().lines()).containsExactly(
        file + ":6:9: warning: series redis_keyspace_hits_total is named like a counter but has no type, so it is a"
            + " gauge; add type: counter (a cumulative total, as promtool series are), or type: gauge to keep it",
        file + ":7:9: warning: series redis_keyspace_misses is named like a counter but has no type, so it is a"
            + " gauge; add type: counter (a cumulative total, as promtool series are), or type: gauge to keep it",
        file + ":8:9: warning: series total_commands_processed is named like a counter but has no type, so it is a"
            + " gauge; add type: counter (a cumulative total, as promtool series are), or type: gauge to keep it");
    assertThat(out.toString()).isEqualTo("PASS a promtool port\n1 test, 0 failed\n");
  }
}
