package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.notify.silence.Matcher;
import io.tocsin.notify.silence.Silences;
import io.tocsin.testing.RuleHarness;
import io.tocsin.util.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status page over HTTP: what fires, the charts, and escaping of what users and exporters write. */
class StatusPageTest {
  private static final Instant T0 = RuleHarness.T0;

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final MutableClock clock = harness.clock();
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    tocsin = harness.start(dataDir, MonitorsApiTest.RULES);
    for (int m = 0; m < 3; m++) {
      RuleHarness.value(tocsin, "<script>x</script>", m, 0);
      RuleHarness.value(tocsin, "n2", m, 1);
    }
    for (int m = 1; m <= 3; m++) {
      harness.evaluateAt(tocsin, m);
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
        .contains("<td class=\"labels\">{node&#61;&quot;&lt;script&gt;x&lt;/script&gt;&quot;}</td><td>0</td><td>1</td>"
            + "<td>breaching since 2026-03-01 12:00:00 UTC, firing since 2026-03-01 12:02:00 UTC</td>")
        .doesNotContain("state silenced")
        .doesNotContain("<script>")
        .doesNotContain("http://", "https://"); // everything is bundled: works offline
  }

  @Test
  void index_withMoreAlertsThanItLists_countsTheOthers() throws Exception {
    for (int m = 3; m < 5; m++) {
      RuleHarness.value(tocsin, "<script>x</script>", m, 0);
      RuleHarness.value(tocsin, "n2", m, 1);
      for (int n = 0; n < StatusPage.MAX_ALERTS + 1; n++) {
        RuleHarness.value(tocsin, "down" + n, m, 0);
      }
    }
    harness.evaluateAt(tocsin, 4);
    harness.evaluateAt(tocsin, 5);

    String page = get("/").body();

    assertThat(page).contains("Shard is down</a></td><td><span class=\"state firing\">firing</span></td>\n"
        + "<td>1002 / 0 / 1003</td>");
    String alerts = page.substring(page.indexOf("<table id=\"alerts\">"));
    alerts = alerts.substring(0, alerts.indexOf("</table>"));
    assertThat(alerts.split("<td class=\"labels\">", -1)).hasSize(StatusPage.MAX_ALERTS + 1);
    assertThat(page).contains("and 2 more, not listed here: <a href=\"/api/v1/alerts\">/api/v1/alerts</a>");
  }

  @Test
  void index_marksAFiringAlertASilenceCovers() throws Exception {
    String id = tocsin.silences().save(new Silences.Draft(null, List.of(Matcher.parse("alertname=\"Shard is down\"")),
        null, T0.plus(Duration.ofHours(1)), "me", "maintenance")).orElseThrow().id();

    assertThat(get("/").body()).contains("<span class=\"state firing\">firing</span> <span class=\"state silenced\" "
        + "title=\"silence " + id + "\">silenced</span>");
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
