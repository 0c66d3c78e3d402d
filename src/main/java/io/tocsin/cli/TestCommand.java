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

/** {@code tocsin test FILE...}: runs rule unit tests. */
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
    for (Path file : files) {
      List<RuleTestRunner.Result> results;
      try {
        results = RuleTestRunner.run(file);
      } catch (ConfigException e) {
        err.println(e.getMessage());
        return 1;
      }
      for (RuleTestRunner.Result result : results) {
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
    out.println(tests + (tests == 1 ? " test, " : " tests, ") + failed + " failed");
    return failed == 0 ? 0 : 1;
  }
}
