package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {
  @TempDir
  Path dir;

  @Test
  void serve_invalidConfig_printsEveryErrorAndExits1() throws Exception {
    Path config = dir.resolve("tocsin.yml");
    Files.writeString(config, "listen:\n  grpc: \":4317\"\nlimits: {max_series: 0}\n");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main()).setErr(new PrintWriter(err, true));

    int exit = cli.execute("serve", "--config", config.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString().lines()).containsExactly(
        config + ":2:3: unknown key \"grpc\" in listen",
        config + ":3:22: limits.max_series must be a whole number of at least 1, got \"0\"");
  }

  @Test
  void serve_portInUse_exits1WithTheReason() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("tocsin.yml");
      Files.writeString(config, "listen: {otlp_grpc: \"127.0.0.1:" + taken.getLocalPort()
          + "\", otlp_http: \"127.0.0.1:0\", http: \"127.0.0.1:0\"}\n");
      StringWriter err = new StringWriter();
      int exit = new CommandLine(new Main()).setErr(new PrintWriter(err, true))
          .execute("serve", "--config", config.toString());

      assertThat(exit).isEqualTo(1);
      assertThat(err.toString()).startsWith("cannot start: cannot listen for OTLP/gRPC on /127.0.0.1:" + taken.getLocalPort());
    }
  }
}
