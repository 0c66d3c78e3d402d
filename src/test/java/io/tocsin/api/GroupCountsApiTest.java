package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.testing.RuleHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counts of {@code GET /api/v1/monitors} and {@code tocsin_alerts}, kept as groups change
 * state, against the groups {@code GET /api/v1/monitors/{id}} lists, through pending, firing,
 * recovery and resolution.
 */
class GroupCountsApiTest {
  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final HttpClient http = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private String get(Tocsin tocsin, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** pending, firing and total from the listing, from the monitor's groups, and the gauge. */
  private List<String> counts(Tocsin tocsin) throws Exception {
    JsonNode listed = JSON.readTree(get(tocsin, "/api/v1/monitors")).get("monitors").get(0);
    List<String> states = new ArrayList<>();
    for (JsonNode g : JSON.readTree(get(tocsin, "/api/v1/monitors/shard-is-down")).get("groups")) {
      states.add(g.get("state").asText());
    }
    // A group with points in the range shown that the monitor does not know has neither value nor start.
    long known = StreamSupport.stream(JSON.readTree(get(tocsin, "/api/v1/monitors/shard-is-down")).get("groups")
        .spliterator(), false).filter(g -> !g.get("active_at").isNull() || !g.get("value").isNull()).count();
    String metrics = get(tocsin, "/metrics");
    return List.of(
        listed.get("groups_pending") + " " + listed.get("groups_firing") + " " + listed.get("groups_total"),
        states.stream().filter("pending"::equals).count() + " " + states.stream().filter("firing"::equals).count()
            + " " + known,
        gauge(metrics, "pending") + " " + gauge(metrics, "firing") + " " + listed.get("groups_total"));
  }

  private static String gauge(String metrics, String state) {
    String prefix = "tocsin_alerts{state=\"" + state + "\"} ";
    int at = metrics.indexOf("\n" + prefix) + 1 + prefix.length();
    return Long.toString((long) Double.parseDouble(metrics.substring(at, metrics.indexOf('\n', at))));
  }

  @Test
  void monitorsAndMetrics_countsFollowEveryTransition_asTheGroupsSay() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, RuleHarness.shardDown("2m"))) {
      double[][] values = {
          {0, 1, 0},  // n1 and n3 pending, n2 ok
          {0, 0, 0},  // n1 and n3 firing, n2 pending
          {0, 1, 0},  // n2 ok again
          {1, 1, 0},  // n1 resolved
      };
      List<String> seen = new ArrayList<>();
      for (int minute = 0; minute < values.length; minute++) {
        for (int n = 0; n < 3; n++) {
          RuleHarness.value(tocsin, "n" + (n + 1), minute, values[minute][n]);
        }
        harness.evaluateAt(tocsin, minute + 1);
        List<String> counts = counts(tocsin);
        assertThat(counts).as("minute %d", minute + 1).containsOnly(counts.get(0));
        seen.add(counts.get(0));
      }
      assertThat(seen).containsExactly("2 0 3", "1 2 3", "0 2 3", "0 1 3");
    }
  }
}
