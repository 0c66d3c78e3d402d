package io.tocsin.cli;

import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.config.ServerConfigLoader;
import io.tocsin.yaml.ConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tocsin serve}: runs the service until SIGTERM or SIGINT, then stops it gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Receive OTLP metrics, evaluate monitors and serve the REST API.")
public final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec
  CommandSpec spec;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "Server config (tocsin.yml). Without it: rules from rules/*.yml, data in ./data, ports 4317, 4318, 8080.")
  Path config;

  @Override
  public Integer call() throws Exception {
    ServerConfig serverConfig;
    try {
      serverConfig = config == null
          ? ServerConfig.defaults(Path.of("").toAbsolutePath())
          : new ServerConfigLoader(System::getenv).load(config);
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    }
    log.info("starting Tocsin with {}", config == null ? "embedded defaults" : "config " + config);
    Tocsin tocsin;
    try {
      tocsin = Tocsin.start(serverConfig, Clock.systemUTC());
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 1;
    } catch (Exception e) {
      spec.commandLine().getErr().println("cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      tocsin.close();
      log.info("stopped");
      stopped.countDown();
    }, "shutdown"));
    log.info("Tocsin is ready");
    stopped.await();
    return 0;
  }
}
