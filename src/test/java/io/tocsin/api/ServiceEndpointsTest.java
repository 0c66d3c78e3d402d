package io.tocsin.api;

import static io.tocsin.api.ApiClient.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.testing.RuleHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probes, {@code /metrics}, and what unknown routes and wrong methods answer. */
class ServiceEndpointsTest {
  @TempDir
  Path dataDir;

  private Tocsin tocsin;
  private ApiClient api;

  @BeforeEach
  void start() throws Exception {
    tocsin = new RuleHarness().start(dataDir, MonitorsApiTest.RULES);
    api = ApiClient.of(tocsin);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  @Test
  void probes_answerPlainText() throws Exception {
    HttpResponse<String> healthy = api.get("/-/healthy");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(healthy.body()).isEqualTo("Tocsin is healthy.\n");
    HttpResponse<String> ready = api.get("/-/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("Tocsin is ready.\n");
  }

  @Test
  void metrics_isThePrometheusTextFormat() throws Exception {
    HttpResponse<String> metrics = api.get("/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).contains("\ntocsin_monitors 2.0\n");
  }

  @Test
  void unknownRoute_is404_andAWrongMethodIs405_bothJson() throws Exception {
    HttpResponse<String> unknown = api.post("/api/v1/monitors/shard-is-down/snooze", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo(error("not found: POST /api/v1/monitors/shard-is-down/snooze"));

    HttpResponse<String> wrongMethod = api.send("DELETE", "/api/v1/monitors", null);
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.body()).isEqualTo(error("method DELETE not allowed on /api/v1/monitors"));
    assertThat(wrongMethod.headers().firstValue("Content-Type")).hasValue("application/json");
  }

  @Test
  void monitorDetail_badRangeOrUnknownParameter_is400() throws Exception {
    HttpResponse<String> badRange = api.get("/api/v1/monitors/shard-is-down?range=soon");
    assertThat(badRange.statusCode()).isEqualTo(400);
    assertThat(badRange.body()).isEqualTo(error("range: invalid duration \"soon\"; expected e.g. 30s, 5m, 1h30m"));

    HttpResponse<String> unknown = api.get("/api/v1/monitors/shard-is-down?from=0");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).isEqualTo(error("unknown query parameter \"from\"; expected range"));
  }
}
