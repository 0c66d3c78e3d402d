package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tocsin.datasource.DatasourceSettings;
import io.tocsin.rules.AlertEvent;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.FaultyProxy;
import io.tocsin.testing.RuleHarness;
import io.tocsin.testing.TestServers;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A monitor with {@code datasource:} evaluated by a real VictoriaMetrics through a proxy that
 * fails on demand: the store answering an error, not answering within the timeout, or dropping
 * the connection sets the monitor's health to error and keeps its firing group (no false
 * resolve); when the store answers again, the monitor catches up and resolves from the data.
 */
class DatasourceMonitorTest {
  @TempDir
  Path dir;

  private static final String RULES = """
      monitors:
        - name: Shard is down
          datasource: vm
          metrics: [redis_up as $up]
          query: [group by node, $up]
          min_allowed_value: 1
          for_duration: 1m
          evaluation_delay: 0s
      """;

  @Test
  void remoteFailures_setHealthErrorAndKeepStates_untilTheStoreAnswersAgain() throws Exception {
    assumeTrue(ExternalServer.installed(ExternalServer.VICTORIA_METRICS),
        "VictoriaMetrics is not installed at " + ExternalServer.VICTORIA_METRICS);
    try (ExternalServer victoria = ExternalServer.victoriaMetrics(dir.resolve("vm"));
        FaultyProxy proxy = new FaultyProxy(victoria.url())) {
      StringBuilder samples = new StringBuilder();
      for (int minute = 0; minute < 10; minute++) {
        long t = RuleHarness.T0.toEpochMilli() + minute * 60_000L + 10_000;
        boolean aIsDown = minute >= 2 && minute < 8;
        samples.append("redis_up{node=\"a\"} ").append(aIsDown ? 0 : 1).append(' ').append(t).append('\n');
        samples.append("redis_up{node=\"b\"} 1 ").append(t).append('\n');
      }
      importInto(victoria.url(), samples.toString());

      RuleHarness harness = new RuleHarness();
      Files.createDirectories(dir.resolve("rules"));
      Files.writeString(dir.resolve("rules/r.yml"), RULES);
      DatasourceSettings vm = new DatasourceSettings("vm", URI.create(proxy.url()),
          DatasourceSettings.Flavor.VICTORIAMETRICS, Map.of(), "", Secret.NONE, Secret.of("t0ken"),
          Duration.ofSeconds(1), Map.of());
      try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dir).withDatasources(List.of(vm)),
          harness.clock(), false)) {
        assertThat(evaluateAt(harness, tocsin, 4)).extracting(AlertEvent::type).containsExactly(AlertEvent.Type.FIRING);
        assertThat(status(tocsin).health()).isEqualTo(MonitorStatus.Health.OK);

        proxy.mode(FaultyProxy.Mode.ERROR);
        assertFailsKeepingState(harness, tocsin, 5,
            "datasource vm: HTTP 503 unavailable: storage is overloaded");
        proxy.mode(FaultyProxy.Mode.HANG);
        assertFailsKeepingState(harness, tocsin, 6, "datasource vm: no answer within 1000 ms");
        proxy.mode(FaultyProxy.Mode.DROP);
        assertFailsKeepingState(harness, tocsin, 7, "datasource vm: request to " + proxy.url() + " failed: "
            + "java.io.IOException: HTTP/1.1 header parser received no bytes");

        proxy.mode(FaultyProxy.Mode.FORWARD);
        List<AlertEvent> events = evaluateAt(harness, tocsin, 10);
        assertThat(events).extracting(AlertEvent::type).containsExactly(AlertEvent.Type.RESOLVED);
        // After a gap longer than for_duration + 1 bucket, as after any failed evaluation, the last N
        // buckets are read: bucket 9, where a is up again.
        assertThat(events.get(0).at()).isEqualTo(RuleHarness.T0.toEpochMilli() + 10 * 60_000L);
        MonitorStatus recovered = status(tocsin);
        assertThat(recovered.health()).isEqualTo(MonitorStatus.Health.OK);
        assertThat(recovered.lastError()).isNull();
        assertThat(recovered.groups()).extracting(GroupState::state).containsOnly(GroupState.State.OK);
      }
    }
  }

  @Test
  void queryApi_withDatasource_showsWhatTheMonitorSees() throws Exception {
    assumeTrue(ExternalServer.installed(ExternalServer.VICTORIA_METRICS),
        "VictoriaMetrics is not installed at " + ExternalServer.VICTORIA_METRICS);
    try (ExternalServer victoria = ExternalServer.victoriaMetrics(dir.resolve("vm"));
        FaultyProxy proxy = new FaultyProxy(victoria.url())) {
      long t = RuleHarness.T0.toEpochMilli();
      importInto(victoria.url(), "redis_up{node=\"a\"} 0 " + (t + 70_000) + "\nredis_up{node=\"b\"} 1 " + (t + 70_000) + "\n");
      RuleHarness harness = new RuleHarness();
      harness.clock().set(RuleHarness.T0.plus(Duration.ofMinutes(3)));
      Files.createDirectories(dir.resolve("rules"));
      Files.writeString(dir.resolve("rules/r.yml"), RULES);
      DatasourceSettings vm = new DatasourceSettings("vm", URI.create(proxy.url()),
          DatasourceSettings.Flavor.VICTORIAMETRICS, Map.of(), "", Secret.NONE, Secret.NONE, Duration.ofSeconds(5), Map.of());
      try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dir).withDatasources(List.of(vm)),
          harness.clock(), false)) {
        String body = "{\"metrics\": [\"redis_up as $up\"], \"query\": [\"group by node\", \"$up as up\"], "
            + "\"interval\": \"1m\", \"range\": \"3m\", \"datasource\": \"%s\"}";
        HttpResponse<String> ok = post(tocsin, body.formatted("vm"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"columns\":[\"up\"],\"groups\":["
            + "{\"labels\":{\"node\":\"a\"},\"columns\":{\"up\":[[" + (t + 60_000) + ",0.0]]}},"
            + "{\"labels\":{\"node\":\"b\"},\"columns\":{\"up\":[[" + (t + 60_000) + ",1.0]]}}]}");

        HttpResponse<String> unknown = post(tocsin, body.formatted("v"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"unknown datasource \\\"v\\\", did you mean 'vm'?; declared: vm\"}");

        HttpResponse<String> monitor = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + tocsin.httpPort() + "/api/v1/monitors/shard-is-down")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(monitor.body()).contains("\"datasource\":\"vm\"")
            .contains("\"points\":[[" + (t + 60_000) + ",0.0]]").doesNotContain("points_error");

        proxy.mode(FaultyProxy.Mode.ERROR);
        HttpResponse<String> down = post(tocsin, body.formatted("vm"));
        assertThat(down.statusCode()).isEqualTo(502);
        assertThat(down.body()).isEqualTo("{\"error\":\"datasource vm: HTTP 503 unavailable: storage is overloaded\"}");
      }
    }
  }

  private static HttpResponse<String> post(Tocsin tocsin, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort()
        + "/api/v1/query")).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertFailsKeepingState(RuleHarness harness, Tocsin tocsin, int minute, String error) {
    assertThat(evaluateAt(harness, tocsin, minute)).isEmpty();
    MonitorStatus status = status(tocsin);
    assertThat(status.health()).isEqualTo(MonitorStatus.Health.ERROR);
    assertThat(status.lastError()).isEqualTo(error).doesNotContain("t0ken");
    assertThat(status.groups()).filteredOn(g -> g.labels().get("node").equals("a"))
        .extracting(GroupState::state).containsExactly(GroupState.State.FIRING);
  }

  private static List<AlertEvent> evaluateAt(RuleHarness harness, Tocsin tocsin, int minute) {
    harness.clock().set(RuleHarness.T0.plus(Duration.ofMinutes(minute)));
    return tocsin.engine().evaluateDue(harness.clock().millis());
  }

  private static MonitorStatus status(Tocsin tocsin) {
    return tocsin.engine().monitors().get(0);
  }

  private static void importInto(String url, String text) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    assertThat(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/import/prometheus"))
        .POST(HttpRequest.BodyPublishers.ofString(text)).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(204);
    http.send(HttpRequest.newBuilder(URI.create(url + "/internal/force_flush")).build(),
        HttpResponse.BodyHandlers.discarding());
  }
}
