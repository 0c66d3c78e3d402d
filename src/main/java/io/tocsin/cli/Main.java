package io.tocsin.cli;

import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tocsin} command line; each subcommand is a class next to this one. */
@Command(name = "tocsin", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Alert rule engine for OpenTelemetry metrics.",
    subcommands = {ServeCommand.class, DemoCommand.class, CheckCommand.class, TestCommand.class, QueryCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tocsin " + (version == null ? "dev" : version)};
    }
  }
}
