package io.tocsin.notify;

import static io.tocsin.notify.GroupingFixture.ROUTES;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.testing.RuleHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregation groups across restarts and reloads ({@link GroupingFixture}): what is not sent yet,
 * and what each channel was told, survive in {@code groups.json}.
 */
class AggregationDurabilityTest {
  @TempDir
  Path dataDir;

  private final GroupingFixture fixture = new GroupingFixture();
  private final RuleHarness harness = fixture.harness;

  @AfterEach
  void stopReceiver() {
    fixture.close();
  }

  @Test
  void whatAChannelWasTold_survivesARestart_soTheResolutionIsSentThere() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      RuleHarness.value(tocsin, "n1", 1, 0);
      harness.evaluateAt(tocsin, 1);
      fixture.tick(tocsin, 90);
      assertThat(fixture.received()).hasSize(1);
    }
    try (Tocsin restarted = harness.start(dataDir, fixture.rules(ROUTES))) {
      for (int minute = 2; minute <= 5; minute++) {
        RuleHarness.value(restarted, "n1", minute, 5);
      }
      for (int minute = 2; minute <= 6; minute++) {
        harness.evaluateAt(restarted, minute);
      }
      fixture.tick(restarted, 6 * 60 + 30);

      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1",
          "resolved {\"cluster\":\"c1\"}: resolved Shard is down n1, resolved Shard degraded n1");
    }
  }

  @Test
  void aReloadChangingGroupBy_resolvesAnAlertInTheGroupThatToldOfIt() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      fixture.tick(tocsin, 90);
      Files.writeString(dataDir.resolve("rules/r.yml"),
          fixture.rules(ROUTES.replace("group_by: [cluster]", "group_by: [cluster, node]")));
      assertThat(reload(tocsin).statusCode()).isEqualTo(200);
      for (int minute = 1; minute <= 5; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 5);
        harness.evaluateAt(tocsin, minute + 1);
      }
      fixture.tick(tocsin, 6 * 60 + 30);

      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1",
          "resolved {\"cluster\":\"c1\"}: resolved Shard is down n1, resolved Shard degraded n1");
      assertThat(tocsin.notifications().aggregationGroups()).isZero();
    }
  }

  @Test
  void anAlertThatNoLongerTakesTheRoute_resolvesInItsGroup() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      fixture.tick(tocsin, 90);
      Files.writeString(dataDir.resolve("rules/r.yml"),
          fixture.rules(ROUTES.replace("cluster=\"c1\"", "cluster=\"c2\"")));
      assertThat(reload(tocsin).statusCode()).isEqualTo(200);
      for (int minute = 1; minute <= 5; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 0); // still firing: the monitors send nothing new
        harness.evaluateAt(tocsin, minute + 1);
      }
      fixture.tick(tocsin, 6 * 60 + 29);
      assertThat(fixture.received()).hasSize(1);

      fixture.tick(tocsin, 6 * 60 + 30);
      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1",
          "resolved {\"cluster\":\"c1\"}: resolved Shard is down n1, resolved Shard degraded n1");
      assertThat(tocsin.notifications().aggregationGroups()).isZero();
    }
  }

  private static HttpResponse<String> reload(Tocsin tocsin) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/-/reload")).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anUnreadableGroupsFile_isSetAside_andGroupingGoesOn() throws Exception {
    Files.writeString(dataDir.resolve("groups.json"), "[{\"route\": ");
    try (Tocsin tocsin = fixture.start(dataDir, ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      fixture.tick(tocsin, 90);

      assertThat(fixture.received()).hasSize(1);
      try (Stream<Path> files = Files.list(dataDir)) {
        assertThat(files.map(f -> f.getFileName().toString())).anyMatch(f -> f.startsWith("groups.json.")
            && f.endsWith(".bad"));
      }
    }
  }

  @Test
  void aGroupNotYetFlushed_isDeliveredAfterARestart() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      assertThat(fixture.received()).isEmpty();
    }
    try (Tocsin restarted = harness.start(dataDir, fixture.rules(ROUTES))) {
      fixture.tick(restarted, 89);
      assertThat(fixture.received()).isEmpty();
      fixture.tick(restarted, 90);
      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1");
    }
  }
}
