package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.demo.Demo;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the demo's shutdown hook does on Ctrl-C or SIGTERM. */
class DemoCommandTest {
  @TempDir
  Path dir;

  @Test
  void stop_ofADemoInItsOwnTemporaryDirectory_removesItAndSaysSo() throws Exception {
    Path workDir = Files.createDirectories(dir.resolve("tocsin-demo123"));
    Demo demo = Demo.start(TestServers.loopbackConfig(workDir), workDir, Clock.systemUTC());
    assertThat(workDir.resolve("rules")).isDirectory();

    try (LogCapture logs = LogCapture.of(DemoCommand.class)) {
      DemoCommand.stop(demo, workDir, true);
      assertThat(logs.messages()).containsExactly("INFO shutting down", "INFO stopped; removed " + workDir);
    }
    assertThat(workDir).doesNotExist();
  }

  @Test
  void stop_ofADemoInADirectoryTheUserGave_keepsIt() throws Exception {
    Path workDir = Files.createDirectories(dir.resolve("mine"));
    Demo demo = Demo.start(TestServers.loopbackConfig(workDir), workDir, Clock.systemUTC());

    try (LogCapture logs = LogCapture.of(DemoCommand.class)) {
      DemoCommand.stop(demo, workDir, false);
      assertThat(logs.messages()).containsExactly("INFO shutting down",
          "INFO stopped; rules and data kept in " + workDir);
    }
    assertThat(workDir.resolve("rules")).isDirectory();
  }
}
