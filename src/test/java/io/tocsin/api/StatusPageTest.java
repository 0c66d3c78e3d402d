package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status page over HTTP: what fires, the charts, and escaping of what users and exporters write. */
class StatusPageTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/r.yml"), MonitorsApiTest.RULES);
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock, false);
    for (int m = 0; m < 3; m++) {
      int minute = m;
      tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "<script>x</script>"),
          s -> s.append(T0.toEpochMilli() + minute * 60_000L + 10_000, 0));
      tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n2"),
          s -> s.append(T0.toEpochMilli() + minute * 60_000L + 10_000, 1));
    }
    for (int m = 1; m <= 3; m++) {
      clock.set(T0.plus(Duration.ofMinutes(m)));
      tocsin.evaluateMonitors();
    }
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void index_listsMonitorsAndTheFiringGroup_escaped() throws Exception {
    HttpResponse<String> page = get("/");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.body())
        .contains("<a href=\"/monitors/shard-is-down\">Shard is down</a></td><td><span class=\"state firing\">firing</span>")
        .contains("<a href=\"/monitors/never-fires\">Never fires</a></td><td><span class=\"state ok\">ok</span>")
        .contains("<td class=\"labels\">{node&#61;&quot;&lt;script&gt;x&lt;/script&gt;&quot;}</td><td>0</td><td>2026-03-01 12:02:00 UTC</td>")
        .doesNotContain("<script>")
        .doesNotContain("http://", "https://"); // everything is bundled: works offline
  }

  @Test
  void monitorPage_chartsEachGroupAgainstTheThreshold_firingFirst() throws Exception {
    String body = get("/monitors/shard-is-down").body();

    assertThat(body).contains("<dt>Alerts when</dt><dd>value &lt; 1 for 2m (1m buckets)</dd>");
    int firing = body.indexOf("<span class=\"state firing\">firing</span> <span class=\"labels\">{node&#61;&quot;&lt;script");
    int ok = body.indexOf("<span class=\"state ok\">ok</span> <span class=\"labels\">{node&#61;&quot;n2&quot;}");
    assertThat(firing).isPositive().isLessThan(ok);
    assertThat(body.split("<svg class=\"chart\"", -1)).hasSize(3);
    assertThat(body).contains("<line class=\"threshold\"").contains("<path class=\"values\" d=\"M");
  }

  @Test
  void unknownMonitor_is404() throws Exception {
    HttpResponse<String> page = get("/monitors/nope");

    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.body()).contains("No monitor with this id.");
  }
}
