package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tocsin.Tocsin;
import io.tocsin.notify.silence.Matcher;
import io.tocsin.notify.silence.Silences;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.Await;
import io.tocsin.testing.ExternalServer;
import io.tocsin.testing.RuleHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes that aggregate, through a running Tocsin on a simulated clock (T0 is 1 March 2026, 12:00
 * UTC) and a real webhook receiver ({@link GroupingFixture}): when a group's messages go out, what
 * they hold, and silences, inhibition and mute intervals decided at flush time.
 */
class AggregatedDeliveryTest {
  @TempDir
  Path dataDir;

  private final GroupingFixture fixture = new GroupingFixture();
  private final RuleHarness harness = fixture.harness;
  private final RecordingReceiver receiver = fixture.receiver;

  @AfterEach
  void stopReceiver() {
    fixture.close();
  }

  @Test
  void twoMonitorsOfOneCluster_goOutInOneMessage_afterGroupWait() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, GroupingFixture.ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1); // both fire for n1; the group waits 30s

      assertThat(fixture.received()).isEmpty();
      fixture.tick(tocsin, 89);
      assertThat(fixture.received()).isEmpty();
      fixture.tick(tocsin, 90);
      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1");
      assertThat(GroupingFixture.JSON.readTree(receiver.requests().get(0).body())).isEqualTo(GroupingFixture.JSON.readTree("""
          {"receiver": "hook", "status": "firing",
           "alerts": [
             {"status": "firing", "labels": {"alertname": "Shard is down", "cluster": "c1", "node": "n1"},
              "annotations": {}, "startsAt": "2026-03-01T12:01:00Z", "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "http://localhost:8080/monitors/shard-is-down",
              "fingerprint": "shard-is-down-40bb609ed1f172e5", "value": 0.0, "threshold": 1.0,
              "message": "Shard is down: value 0 is below the minimum 1, breaching since 2026-03-01 12:00:00 UTC, \
          firing since 2026-03-01 12:01:00 UTC"},
             {"status": "firing", "labels": {"alertname": "Shard degraded", "cluster": "c1", "node": "n1"},
              "annotations": {}, "startsAt": "2026-03-01T12:01:00Z", "endsAt": "0001-01-01T00:00:00Z",
              "generatorURL": "http://localhost:8080/monitors/shard-degraded",
              "fingerprint": "shard-degraded-40bb609ed1f172e5", "value": 0.0, "threshold": 2.0,
              "message": "Shard degraded: value 0 is below the minimum 2, breaching since 2026-03-01 12:00:00 UTC, \
          firing since 2026-03-01 12:01:00 UTC"}
           ],
           "groupLabels": {"cluster": "c1"},
           "commonLabels": {"cluster": "c1", "node": "n1"},
           "commonAnnotations": {},
           "externalURL": "http://localhost:8080", "version": "4",
           "groupKey": "root/0/0:{cluster=\\"c1\\"}", "truncatedAlerts": 0,
           "title": "[FIRING:2] Shard is down, Shard degraded {cluster=\\"c1\\"}"}
          """));
    }
  }

  /**
   * The same two alerts posted to a real Alertmanager with the same route: its webhook groups them
   * alike (status, groupLabels, commonLabels, each alert's labels and status) as Tocsin's.
   */
  @Test
  void twoMonitorsOfOneCluster_groupAsAlertmanagerGroupsThem() throws Exception {
    Assumptions.assumeTrue(ExternalServer.installed(ExternalServer.ALERTMANAGER),
        "prometheus-alertmanager is not installed (Debian package prometheus-alertmanager): comparison skipped");
    JsonNode tocsins;
    try (Tocsin tocsin = fixture.start(dataDir, GroupingFixture.ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      fixture.tick(tocsin, 90);
      tocsins = GroupingFixture.JSON.readTree(receiver.requests().get(0).body());
    }
    try (RecordingReceiver amHook = RecordingReceiver.start("/am");
        ExternalServer am = ExternalServer.alertmanager(dataDir.resolve("am"), """
            route:
              receiver: hook
              routes:
                - matchers: ['cluster="c1"']
                  group_by: [cluster]
                  group_wait: 1s
                  group_interval: 5m
                  repeat_interval: 10m
                  routes:
                    - matchers: ['alertname=~"Shard.*"']
                      receiver: hook
            receivers:
              - name: hook
                webhook_configs: [{url: "%s"}]
            """.formatted(amHook.url("/am")))) {
      String alerts = """
          [{"labels": {"alertname": "Shard is down", "cluster": "c1", "node": "n1"}},
           {"labels": {"alertname": "Shard degraded", "cluster": "c1", "node": "n1"}}]""";
      HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(am.url() + "/api/v2/alerts")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(alerts)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).isEqualTo(200);
      List<RecordingReceiver.Request> got = Await.until("Alertmanager's webhook", Duration.ofSeconds(60),
          amHook::requests, r -> !r.isEmpty());
      JsonNode ams = GroupingFixture.JSON.readTree(got.get(0).body());
      assertThat(grouping(tocsins)).isEqualTo(grouping(ams)).contains("2 alerts");
    }
  }

  /** What a webhook says about the grouping: status, group and common labels, and each alert's status and labels, sorted. */
  private static String grouping(JsonNode body) {
    List<String> alerts = new ArrayList<>();
    body.get("alerts").forEach(a -> alerts.add(a.get("status").asText() + " " + a.get("labels")));
    Collections.sort(alerts);
    return body.get("status").asText() + " " + body.get("groupLabels") + " " + body.get("commonLabels") + " "
        + alerts.size() + " alerts: " + alerts;
  }

  @Test
  void aLaterAlert_joinsAtTheNextGroupInterval_notBefore() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, GroupingFixture.ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      fixture.tick(tocsin, 90);
      for (int minute = 1; minute <= 5; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 0);
        RuleHarness.value(tocsin, "n2", minute, minute >= 2 ? 1.5 : 5);
        harness.evaluateAt(tocsin, minute + 1); // n2 degraded fires at minute 3
      }
      fixture.tick(tocsin, 6 * 60 + 29);
      assertThat(fixture.received()).hasSize(1);

      fixture.tick(tocsin, 6 * 60 + 30); // 1m30s + 5m
      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1",
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1, firing Shard degraded n2");
    }
  }

  @Test
  void anUnchangedGroup_isSentAgainAfterRepeatInterval_andNotAtEachGroupInterval() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, GroupingFixture.ROUTES)) {
      for (int minute = 0; minute <= 11; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 0);
        harness.evaluateAt(tocsin, minute + 1);
        fixture.tick(tocsin, (minute + 1) * 60 + 30);
      }
      // Sent at 1m30s; nothing new at 6m30s; 10m after the first message, at 11m30s, all again.
      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1",
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1");
      JsonNode repeat = GroupingFixture.JSON.readTree(receiver.requests().get(1).body());
      assertThat(repeat.at("/alerts/0/message").asText()).startsWith("Shard is down: value 0 is below the minimum 1");
    }
  }

  @Test
  void theMonitorsOwnRepeats_areNotSentOnAnAggregatingRoute() throws Exception {
    try (Tocsin tocsin = harness.start(dataDir, GroupingFixture.MONITORS.replace("for_duration: 1m\n",
        "for_duration: 1m\n    repeat_interval: 2m\n").formatted(receiver.url("/hook")) + GroupingFixture.ROUTES)) {
      for (int minute = 0; minute <= 9; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 0);
        harness.evaluateAt(tocsin, minute + 1);
        fixture.tick(tocsin, (minute + 1) * 60 + 30);
      }
      assertThat(tocsin.engine().history().entries()).anyMatch(e -> e.type().equals("repeat"));
      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1");
    }
  }

  @Test
  void aSilence_isDecidedWhenTheGroupIsFlushed() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, GroupingFixture.ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1); // both fire; the group waits until 1m30s
      fixture.tick(tocsin, 80);
      tocsin.silences().save(new Silences.Draft(null, List.of(Matcher.parse("alertname=\"Shard degraded\"")), null,
          RuleHarness.T0.plus(Duration.ofMinutes(4)), "me", "maintenance"));

      fixture.tick(tocsin, 90);
      assertThat(fixture.received()).containsExactly("firing {\"cluster\":\"c1\"}: firing Shard is down n1");
      assertThat(tocsin.engine().history().entries()).filteredOn(e -> e.type().equals("silenced"))
          .extracting(e -> e.monitor() + ": " + e.detail()).singleElement().asString()
          .startsWith("Shard degraded: firing not sent: silenced by ");
      for (int minute = 1; minute <= 5; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 0);
        harness.evaluateAt(tocsin, minute + 1);
      }
      fixture.tick(tocsin, 6 * 60 + 30); // the silence ended at 4m: the degraded alert is news to the channel
      assertThat(fixture.received()).containsExactly("firing {\"cluster\":\"c1\"}: firing Shard is down n1",
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1");
    }
  }

  @Test
  void inhibition_isDecidedWhenTheGroupIsFlushed() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, GroupingFixture.ROUTES + """
        inhibit_rules:
          - source_matchers: ['monitor="Shard is down"']
            target_matchers: ['monitor="Shard degraded"']
            equal: [node]
        """)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      RuleHarness.value(tocsin, "n2", 0, 1.5);
      harness.evaluateAt(tocsin, 1);
      fixture.tick(tocsin, 90);

      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n2");
      assertThat(tocsin.engine().history().entries()).filteredOn(e -> e.type().equals("inhibited"))
          .extracting(e -> e.monitor() + " " + e.labels()).containsExactly("Shard degraded {node=n1}");
    }
  }

  @Test
  void aMutedRoute_sendsNothing_andTellsWhatChangedOnceTheMuteEnds() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, """
        time_intervals:
          - name: first-minutes
            time_intervals: [{times: [{start_time: '12:00', end_time: '12:05'}]}]
        routes:
          - channels: [hook]
            group_by: [cluster]
            group_wait: 30s
            mute_time_intervals: [first-minutes]
        """)) {
      for (int minute = 0; minute <= 5; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 0);
        harness.evaluateAt(tocsin, minute + 1);
      }
      fixture.tick(tocsin, 90);
      assertThat(fixture.received()).isEmpty();
      assertThat(tocsin.engine().history().entries()).filteredOn(e -> e.type().equals("muted"))
          .extracting(e -> e.channel() + " " + e.detail()).containsOnly(
              "hook firing not sent: mute_time_intervals: first-minutes (route root/0)");

      fixture.tick(tocsin, 6 * 60 + 30);
      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1");
    }
  }

  @Test
  void resolvedAlerts_areSentOnce_andLeaveTheGroup() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, GroupingFixture.ROUTES)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);
      fixture.tick(tocsin, 90);
      RuleHarness.value(tocsin, "n1", 1, 1.5); // down resolves, degraded still fires
      harness.evaluateAt(tocsin, 2);
      for (int minute = 2; minute <= 7; minute++) {
        RuleHarness.value(tocsin, "n1", minute, 5); // degraded resolves at minute 3
        harness.evaluateAt(tocsin, minute + 1);
      }
      fixture.tick(tocsin, 6 * 60 + 30);
      fixture.tick(tocsin, 11 * 60 + 30);

      assertThat(fixture.received()).containsExactly(
          "firing {\"cluster\":\"c1\"}: firing Shard is down n1, firing Shard degraded n1",
          "resolved {\"cluster\":\"c1\"}: resolved Shard is down n1, resolved Shard degraded n1");
      assertThat(tocsin.notifications().aggregationGroups()).isZero();
      assertThat(Files.readString(dataDir.resolve("groups.json"))).isEqualTo("[]");
    }
  }

  @Test
  void groupByEveryLabel_makesAGroupPerLabelSet() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, """
        routes:
          - channels: [hook]
            group_by: ['...']
            group_wait: 0s
        """)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);

      assertThat(fixture.received()).containsExactlyInAnyOrder(
          "firing {\"alertname\":\"Shard degraded\",\"cluster\":\"c1\",\"node\":\"n1\"}: firing Shard degraded n1",
          "firing {\"alertname\":\"Shard is down\",\"cluster\":\"c1\",\"node\":\"n1\"}: firing Shard is down n1");
    }
  }

  @Test
  void aRouteWithoutGroupingKeys_stillSendsEachMonitorsEvaluationAtOnce() throws Exception {
    try (Tocsin tocsin = fixture.start(dataDir, """
        routes:
          - matchers: ['cluster="c1"']
            channels: [hook]
        """)) {
      RuleHarness.value(tocsin, "n1", 0, 0);
      harness.evaluateAt(tocsin, 1);

      assertThat(fixture.received()).containsExactly(
          "firing {\"alertname\":\"Shard is down\"}: firing Shard is down n1",
          "firing {\"alertname\":\"Shard degraded\"}: firing Shard degraded n1");
      assertThat(tocsin.notifications().aggregationGroups()).isZero();
    }
  }

}
