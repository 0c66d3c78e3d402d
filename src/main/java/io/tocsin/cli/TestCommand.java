package io.tocsin.cli;

import io.tocsin.ruletest.RuleTestRunner;
import io.tocsin.yaml.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tocsin test FILE...}: runs rule unit tests. A file that cannot be read or run does not
 * stop the others: its errors are printed and it counts as failed in the summary.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
    description = "Run rule unit tests (input series and expected alerts); exit 1 when any fails.")
public final class TestCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Test files.")
  List<Path> files;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int tests = 0;
    int failed = 0;
    int brokenFiles = 0;
    for (Path file : files) {
      if (files.size() > 1) {
        out.println(file + ":");
      }
      List<RuleTestRunner.Result> results;
      try {
        results = RuleTestRunner.run(file);
      } catch (ConfigException e) {
        err.println(e.getMessage());
        out.println("ERROR " + file + ": " + plural(e.errors().size(), "error") + ", no tests run");
        brokenFiles++;
        continue;
      }
      for (RuleTestRunner.Result result : results) {
        result.warnings().forEach(w -> err.println(w.mark() + ": warning: " + w.message()));
        tests++;
        if (result.passed()) {
          out.println("PASS " + result.name());
        } else {
          failed++;
          out.println("FAIL " + result.name());
          result.failures().forEach(f -> out.println("  " + f));
        }
      }
    }
    out.println(plural(tests, "test") + ", " + failed + " failed"
        + (brokenFiles == 0 ? "" : ", " + plural(brokenFiles, "file") + " with errors"));
    return failed == 0 && brokenFiles == 0 ? 0 : 1;
  }

  private static String plural(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
