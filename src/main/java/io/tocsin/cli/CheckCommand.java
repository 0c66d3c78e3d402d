package io.tocsin.cli;

import io.tocsin.channels.Channels;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rulefiles.RuleSet;
import io.tocsin.yaml.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tocsin check FILE|DIR...}: validates rule files as the server would load them. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Check rule files: print every error as file:line:col: message and exit 1, or the warnings and a "
        + "summary and exit 0.")
public final class CheckCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "FILE|DIR", arity = "1..*", description = "Rule files, or directories of .yml/.yaml files.")
  List<Path> paths;

  @Override
  public Integer call() throws Exception {
    for (Path path : paths) {
      if (!Files.exists(path)) {
        spec.commandLine().getErr().println(path + ": no such file or directory");
        return 1;
      }
    }
    List<Path> files = RuleFiles.expand(paths);
    RuleSet rules;
    try {
      rules = new RuleFiles(System::getenv, Channels::check).load(files);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    }
    // Warnings go to stderr like errors but do not fail the check: the files work as written.
    rules.warnings().forEach(w -> spec.commandLine().getErr().println(w.mark() + ": warning: " + w.message()));
    spec.commandLine().getOut().printf("%s: %s, %s%s%n", plural(files.size(), "file"),
        plural(rules.monitors().size(), "monitor"), plural(rules.channels().size(), "channel"),
        rules.warnings().isEmpty() ? "" : ", " + plural(rules.warnings().size(), "warning"));
    return 0;
  }

  private static String plural(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
