package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /-/ready} follows monitor evaluation on a simulated clock: a monitor (1m interval, no
 * delay) loaded at 12:00 is due at 12:01 and may be missing for max(3 × 1m, 30s) after that.
 */
class ReadinessTest {
  @TempDir
  Path dataDir;

  private final MutableClock clock = MutableClock.at("2026-03-01T12:00:00Z");
  private Tocsin tocsin;
  private ApiClient api;

  @BeforeEach
  void start() throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/r.yml"), MonitorsApiTest.RULES);
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock, false);
    api = ApiClient.of(tocsin);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  @Test
  void evaluationBehindSchedule_is503WithTheMonitors_untilItCatchesUp() throws Exception {
    clock.advance(Duration.ofMinutes(4)); // 12:04:00, three minutes past due: still allowed
    assertThat(api.get("/-/ready").statusCode()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(1));
    HttpResponse<String> late = api.get("/-/ready");

    assertThat(late.statusCode()).isEqualTo(503);
    assertThat(late.body()).isEqualTo("Tocsin is not ready: monitor evaluation is behind schedule: 2 of 2 monitors "
        + "not evaluated in time: \"shard-is-down\" due 181s ago (allowed 180s), \"never-fires\" due 181s ago "
        + "(allowed 180s)\n");
    assertThat(api.get("/-/healthy").statusCode()).isEqualTo(200);

    tocsin.evaluateMonitors();
    HttpResponse<String> caughtUp = api.get("/-/ready");
    assertThat(caughtUp.statusCode()).isEqualTo(200);
    assertThat(caughtUp.body()).isEqualTo("Tocsin is ready.\n");
  }

  @Test
  void pausedMonitor_isNeverBehind() throws Exception {
    assertThat(api.post("/api/v1/monitors/never-fires/pause", null).statusCode()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(10));

    assertThat(api.get("/-/ready").body()).isEqualTo("Tocsin is not ready: monitor evaluation is behind schedule: "
        + "1 of 2 monitors not evaluated in time: \"shard-is-down\" due 540s ago (allowed 180s)\n");
  }

  @Test
  void lastEvaluation_isAMetricPerMonitor() throws Exception {
    assertThat(api.get("/metrics").body()).doesNotContain("tocsin_monitor_last_evaluation_timestamp_seconds{");

    clock.advance(Duration.ofSeconds(90)); // 12:01:30
    tocsin.evaluateMonitors();

    assertThat(api.get("/metrics").body())
        .contains("\ntocsin_monitor_last_evaluation_timestamp_seconds{monitor=\"shard-is-down\"} 1.77236649E9\n")
        .contains("\ntocsin_monitor_last_evaluation_timestamp_seconds{monitor=\"never-fires\"} 1.77236649E9\n");
  }
}
