package io.tocsin.testing;

import io.tocsin.Tocsin;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.util.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A Tocsin in-process with one rule file, on a simulated clock that starts at {@link #T0}: write
 * {@code redis_up} per node and minute, then evaluate the monitors at a minute. Restart tests
 * start several Tocsins over the same data directory and clock.
 */
public final class RuleHarness {
  public static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private final MutableClock clock = new MutableClock(T0);

  /**
   * Rules with one monitor, "Shard is down": {@code redis_up} below 1 per node for {@code
   * forDuration} ({@code 1m}, {@code 2m}). Lines appended with four spaces of indent add to the
   * monitor; {@code channels:} and the like follow.
   */
  public static String shardDown(String forDuration) {
    return """
        monitors:
          - name: Shard is down
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: %s
            evaluation_delay: 0s
        """.formatted(forDuration);
  }

  /**
   * Rules with the monitor of {@code shardDown("1m")} and one webhook channel, {@code hook},
   * posting to {@code webhookUrl}.
   */
  public static String shardIsDown(String webhookUrl) {
    return shardDown("1m") + """
        channels:
          - {name: hook, type: webhook, url: "%s"}
        """.formatted(webhookUrl);
  }

  public MutableClock clock() {
    return clock;
  }

  /** Writes {@code rules/r.yml} into {@code dataDir} and starts a Tocsin on loopback ports, without its scheduler. */
  public Tocsin start(Path dataDir, String rules) throws Exception {
    return start(dataDir, "r.yml", rules);
  }

  /** As {@link #start(Path, String)}, with the rule file's name, for tests that edit it. */
  public Tocsin start(Path dataDir, String file, String rules) throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules").resolve(file), rules);
    return Tocsin.start(TestServers.loopbackConfig(dataDir), clock, false);
  }

  /** {@code redis_up{node}} = {@code v}, ten seconds into {@code minute} after {@link #T0}. */
  public static void value(Tocsin tocsin, String node, int minute, double v) {
    tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", node),
        s -> s.append(T0.toEpochMilli() + minute * 60_000L + 10_000, v));
  }

  /** Sets the clock to {@code minute} after {@link #T0} and evaluates every monitor once. */
  public void evaluateAt(Tocsin tocsin, int minute) {
    clock.set(T0.plus(Duration.ofMinutes(minute)));
    tocsin.evaluateMonitors();
  }
}
