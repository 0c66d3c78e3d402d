package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
  void check_missingPath_exit1() {
    assertThat(check("nope.yml")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("nope.yml: no such file or directory\n");
  }
}
