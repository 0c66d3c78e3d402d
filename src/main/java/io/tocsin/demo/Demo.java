package io.tocsin.demo;

import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.yaml.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * {@code tocsin demo}: Tocsin with the example monitors at one-second buckets, fed by {@link
 * DemoTraffic} over real OTLP, so that alerts fire and resolve within a minute or two.
 */
public final class Demo implements AutoCloseable {
  private final Tocsin tocsin;
  private final DemoTraffic traffic;

  private Demo(Tocsin tocsin, DemoTraffic traffic) {
    this.tocsin = tocsin;
    this.traffic = traffic;
  }

  /**
   * Starts the demo with {@code base}'s listeners and channels; the demo's rules and data go to
   * {@code workDir}.
   */
  public static Demo start(ServerConfig base, Path workDir, Clock clock) throws IOException, ConfigException {
    return start(base, workDir, clock, DemoTraffic.Scenario.DEFAULT);
  }

  static Demo start(ServerConfig base, Path workDir, Clock clock, DemoTraffic.Scenario scenario)
      throws IOException, ConfigException {
    Path rules = workDir.resolve("rules");
    Files.createDirectories(rules);
    try (InputStream in = Demo.class.getResourceAsStream("demo-rules.yml")) {
      Files.write(rules.resolve("demo.yml"), in.readAllBytes());
    }
    ServerConfig config = base.withRuleFiles(workDir, List.of("rules/*.yml")).withDataDir(workDir.resolve("data"));
    Tocsin tocsin = Tocsin.start(config, clock);
    return new Demo(tocsin, DemoTraffic.start(tocsin.otlpGrpcPort(), clock, scenario));
  }

  public Tocsin tocsin() {
    return tocsin;
  }

  @Override
  public void close() {
    traffic.close();
    tocsin.close();
  }
}
