package io.tocsin.cli;

import io.tocsin.config.ServerConfig;
import io.tocsin.demo.Demo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tocsin demo}: the service with example monitors and generated Redis metrics. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run Tocsin with the example Redis monitors at 1 s intervals and a generator that sends "
        + "Redis-like metrics to it over OTLP: a shard goes down and a node's hit rate drops, so alerts fire "
        + "within a minute and resolve later. Alerts go to the log; open the status page to watch."})
public final class DemoCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(DemoCommand.class);

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Where the demo keeps its rules and data (default: a new temporary directory).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    boolean temporary = dir == null;
    Path workDir = temporary ? Files.createTempDirectory("tocsin-demo") : dir;
    ServerConfig base = ServerConfig.defaults(workDir);
    Demo demo = Demo.start(base, workDir, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop(demo, workDir, temporary);
      stopped.countDown();
    }, "shutdown"));
    log.info("demo running: open http://localhost:{}/ ; rules and data in {}; Ctrl-C stops it",
        demo.tocsin().httpPort(), workDir);
    stopped.await();
    return 0;
  }

  /**
   * Stops the demo (on Ctrl-C or SIGTERM) and removes its directory when the demo made it: a
   * temporary directory left behind by every trial would pile up. One given with {@code --dir}
   * stays, since the user may want to look at it.
   */
  static void stop(Demo demo, Path workDir, boolean temporary) {
    log.info("shutting down");
    demo.close();
    if (!temporary) {
      log.info("stopped; rules and data kept in {}", workDir);
      return;
    }
    try (Stream<Path> paths = Files.walk(workDir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
      log.info("stopped; removed {}", workDir);
    } catch (IOException | UncheckedIOException e) {
      log.warn("stopped, but could not remove {}: {}", workDir, e.toString());
    }
  }
}
