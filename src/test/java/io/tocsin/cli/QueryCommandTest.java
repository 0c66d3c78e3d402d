package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QueryCommandTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:05:00Z");

  @TempDir
  Path dataDir;

  private Tocsin tocsin;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws Exception {
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), new MutableClock(NOW));
    long minute = NOW.toEpochMilli() - 120_000;
    tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n1"), s -> {
      s.append(minute + 5_000, 1);
      s.append(minute + 65_000, 0);
    });
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private int run(String... args) {
    return new CommandLine(new Main()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
  }

  @Test
  void query_printsEachGroupsValues() {
    int exit = run("query", "--server", "http://127.0.0.1:" + tocsin.httpPort(), "-m", "redis_up as $up",
        "-r", "2m", "group by node", "$up as up");

    assertThat(exit).isZero();
    assertThat(out.toString()).isEqualTo("{node=\"n1\"}  up: 12:03:00=1.0 12:04:00=0.0\n");
  }

  @Test
  void query_datasource_isSentToTheServer() {
    int exit = run("query", "--server", "http://127.0.0.1:" + tocsin.httpPort(), "--datasource", "vm",
        "-m", "redis_up as $up", "$up");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("unknown datasource \"vm\"; tocsin.yml declares no datasources\n");
  }

  @Test
  void query_error_printsItAndExits1() {
    int exit = run("query", "--server", "http://127.0.0.1:" + tocsin.httpPort(), "-m", "redis_up as $up", "$up + nope(1)");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("query[0]: line 1:7: unknown function 'nope'\n");
  }

  @Test
  void query_overALimit_printsTheLimitAndExits1() {
    for (int node = 2; node <= 100; node++) {
      tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n" + node),
          s -> s.append(NOW.toEpochMilli() - 60_000, 1));
    }
    int exit = run("query", "--server", "http://127.0.0.1:" + tocsin.httpPort(), "-m", "redis_up as $up",
        "-i", "1s", "-r", "2h", "group by node", "$up");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("the query builds more than 500000 points (query.max_result_points), counted "
        + "as groups × 7200 buckets of 1s; narrow it: a larger interval, a shorter range, fewer group by attributes, "
        + "or a where filter\n");
  }

  @Test
  void query_unreachableServer_exits1() {
    int exit = run("query", "--server", "http://127.0.0.1:1", "1");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(
        "cannot reach http://127.0.0.1:1: connection refused (is Tocsin running there?)" + System.lineSeparator());
  }
}
