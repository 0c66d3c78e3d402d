package io.tocsin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.Notification;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.AlertEvent;
import io.tocsin.testing.InMemoryPeers;
import io.tocsin.testing.LogCapture;
import io.tocsin.util.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replicated notification log's logic on members connected in memory, on a simulated clock:
 * what one member records the others see, a joiner gets it by state transfer, entries expire,
 * and the file brings it back after a restart. JGroups itself is tested with real clusters.
 */
class ReplicatedNotificationLogTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Duration PEER_TIMEOUT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final InMemoryPeers.Network network = new InMemoryPeers.Network();
  private final List<ReplicatedNotificationLog> opened = new ArrayList<>();
  private Duration retention = Duration.ofHours(2);

  @AfterEach
  void close() {
    opened.forEach(ReplicatedNotificationLog::close);
  }

  private ReplicatedNotificationLog member(String name) {
    return member(network.join(name));
  }

  private ReplicatedNotificationLog member(InMemoryPeers peers) {
    ReplicatedNotificationLog nflog = ReplicatedNotificationLog.forTest(peers, dataDir.resolve(peers.self()), clock,
        PEER_TIMEOUT, () -> retention);
    peers.register(nflog);
    opened.add(nflog);
    return nflog;
  }

  private static Alert alert(String node, long at) {
    return new Alert(AlertEvent.Type.FIRING, Map.of("node", node), Map.of(), 0, 1, at, at, 0, at,
        "shard-is-down-" + node, "");
  }

  private Notification notification(Alert... alerts) {
    return new Notification("1-1", "slack", "shard-is-down", "Shard is down", Map.of(), "", "http://x", List.of(alerts),
        clock.millis(), false);
  }

  @Test
  void delivered_isSeenByEveryPeer() {
    ReplicatedNotificationLog a = member("a:7800");
    ReplicatedNotificationLog b = member("b:7800");
    ReplicatedNotificationLog c = member("c:7800");
    Notification n = notification(alert("n1", T0.toEpochMilli()));

    a.delivered(n);

    assertThat(b.deliveredBy(n, n.alerts().get(0))).contains("a:7800");
    assertThat(c.deliveredBy(n, n.alerts().get(0))).contains("a:7800");
    assertThat(c.size()).isEqualTo(1);
  }

  @Test
  void deliveredBy_isEmptyForAnotherChannelTypeOrTime() {
    ReplicatedNotificationLog a = member("a:7800");
    ReplicatedNotificationLog b = member("b:7800");
    long at = T0.toEpochMilli();
    a.delivered(notification(alert("n1", at)));

    Notification otherChannel = new Notification("1-2", "email", "shard-is-down", "Shard is down", Map.of(), "", "",
        List.of(alert("n1", at)), at, false);
    Alert resolved = new Alert(AlertEvent.Type.RESOLVED, Map.of("node", "n1"), Map.of(), 1, 1, at, at, at, at,
        "shard-is-down-n1", "");

    assertThat(b.deliveredBy(otherChannel, otherChannel.alerts().get(0))).isEmpty();
    assertThat(b.deliveredBy(notification(resolved), resolved)).isEmpty();
    assertThat(b.deliveredBy(notification(alert("n1", at + 60_000)), alert("n1", at + 60_000))).isEmpty();
    assertThat(b.deliveredBy(notification(alert("n2", at)), alert("n2", at))).isEmpty();
  }

  @Test
  void deliveredBy_coversTheSameEventABucketEarlierOrLater_notTwoBuckets() {
    ReplicatedNotificationLog a = member("a:7800");
    ReplicatedNotificationLog b = member("b:7800");
    long at = T0.toEpochMilli();
    long bucket = 60_000;
    a.delivered(notification(alert("n1", at)));

    for (long seen : new long[] {at - bucket, at, at + bucket}) {
      Notification late = inBuckets(bucket, alert("n1", seen));
      assertThat(b.deliveredBy(late, late.alerts().get(0))).as("seen at %d", seen).contains("a:7800");
    }
    for (long seen : new long[] {at - 2 * bucket, at + 2 * bucket}) {
      Notification other = inBuckets(bucket, alert("n1", seen));
      assertThat(b.deliveredBy(other, other.alerts().get(0))).as("seen at %d", seen).isEmpty();
    }
    Notification unknownBucket = notification(alert("n1", at + bucket));
    assertThat(b.deliveredBy(unknownBucket, unknownBucket.alerts().get(0))).isEmpty();
  }

  private static Notification inBuckets(long bucketMillis, Alert alert) {
    return new Notification("1-1", "slack", "shard-is-down", "Shard is down", Map.of(), "", "", List.of(alert),
        alert.at(), false, bucketMillis);
  }

  @Test
  void hold_isThePositionTimesThePeerTimeout() {
    ReplicatedNotificationLog a = member("a:7800");
    ReplicatedNotificationLog b = member("b:7800");
    ReplicatedNotificationLog c = member("c:7800");

    assertThat(a.hold()).isZero();
    assertThat(b.hold()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.hold()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void joiner_receivesTheEntriesByStateTransfer() {
    ReplicatedNotificationLog a = member("a:7800");
    Notification n = notification(alert("n1", T0.toEpochMilli()), alert("n2", T0.toEpochMilli()));
    a.delivered(n);

    InMemoryPeers joining = network.join("b:7800");
    ReplicatedNotificationLog b = member(joining);
    network.transferState(joining);

    assertThat(b.deliveredBy(n, n.alerts().get(1))).contains("a:7800");
    assertThat(b.size()).isEqualTo(2);
  }

  @Test
  void entries_expireTheRetentionAfterTheirDelivery() throws Exception {
    ReplicatedNotificationLog a = member("a:7800");
    Notification n = notification(alert("n1", T0.toEpochMilli()));
    clock.advance(Duration.ofMinutes(10));
    a.delivered(n);

    clock.advance(Duration.ofHours(2).minusMillis(1));
    assertThat(a.deliveredBy(n, n.alerts().get(0))).contains("a:7800");
    clock.advance(Duration.ofMillis(1));

    assertThat(a.deliveredBy(n, n.alerts().get(0))).isEmpty();
    assertThat(JSON.readTree(a.state()).get("entries")).isEmpty();
    a.sweep();
    assertThat(a.size()).isZero();
  }

  @Test
  void retention_isReadAtEachDelivery() {
    ReplicatedNotificationLog a = member("a:7800");
    Notification first = notification(alert("n1", T0.toEpochMilli()));
    Notification second = notification(alert("n2", T0.toEpochMilli()));
    a.delivered(first);
    retention = Duration.ofHours(5);
    a.delivered(second);

    clock.advance(Duration.ofHours(3));

    assertThat(a.deliveredBy(first, first.alerts().get(0))).isEmpty();
    assertThat(a.deliveredBy(second, second.alerts().get(0))).contains("a:7800");
  }

  @Test
  void merge_keepsTheEntryThatLivesLonger() {
    ReplicatedNotificationLog a = member("a:7800");
    ReplicatedNotificationLog b = member("b:7800");
    Notification n = notification(alert("n1", T0.toEpochMilli()));
    retention = Duration.ofHours(5);
    b.delivered(n);
    retention = Duration.ofHours(2);
    a.delivered(n); // a duplicate: b's entry, which lives longer, stays on both

    clock.advance(Duration.ofHours(3));

    assertThat(a.deliveredBy(n, n.alerts().get(0))).contains("b:7800");
    assertThat(b.deliveredBy(n, n.alerts().get(0))).contains("b:7800");
  }

  @Test
  void receive_ignoresAMessageThatCannotBeRead() {
    ReplicatedNotificationLog a = member("a:7800");
    try (LogCapture log = LogCapture.of(ReplicatedNotificationLog.class)) {
      a.receive("b:7800", "{\"version\":1,\"entries\":[{\"channel\":".getBytes(StandardCharsets.UTF_8));

      assertThat(log.messages()).singleElement().asString()
          .startsWith("ERROR ignored a notification log message from b:7800 that cannot be read: ");
    }
    assertThat(a.size()).isZero();
  }

  @Test
  void restart_readsBackWhatItDeliveredFromTheDataDir() {
    ReplicatedNotificationLog a = member("a:7800");
    Notification n = notification(alert("n1", T0.toEpochMilli()));
    a.delivered(n);
    a.close();

    ReplicatedNotificationLog restarted = member(new InMemoryPeers.Network().join("a:7800"));

    assertThat(restarted.deliveredBy(n, n.alerts().get(0))).contains("a:7800");
  }

  @Test
  void restart_dropsTheEntriesThatExpiredMeanwhile() {
    ReplicatedNotificationLog a = member("a:7800");
    Notification old = notification(alert("n1", T0.toEpochMilli()));
    a.delivered(old);
    clock.advance(Duration.ofHours(1));
    Notification recent = notification(alert("n2", clock.millis()));
    a.delivered(recent);
    a.close();
    clock.advance(Duration.ofMinutes(90));

    ReplicatedNotificationLog restarted = member(new InMemoryPeers.Network().join("a:7800"));

    assertThat(restarted.size()).isEqualTo(1);
    assertThat(restarted.deliveredBy(recent, recent.alerts().get(0))).contains("a:7800");
  }

  @Test
  void open_writesTheFileInTheBackground() throws Exception {
    InMemoryPeers peers = network.join("a:7800");
    ReplicatedNotificationLog a = ReplicatedNotificationLog.open(peers, dataDir, clock, PEER_TIMEOUT, () -> retention,
        null);
    opened.add(a);
    a.delivered(notification(alert("n1", T0.toEpochMilli())));

    Path file = dataDir.resolve("nflog.json");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }

    assertThat(JSON.readTree(file.toFile()).at("/entries/0/by").asText()).isEqualTo("a:7800");
  }

  @Test
  void anUnreadableFile_isSetAside_andTheLogStartsEmpty() throws Exception {
    Path dir = dataDir.resolve("a:7800");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("nflog.json"), "{not json");

    ReplicatedNotificationLog a;
    try (LogCapture log = LogCapture.of(ReplicatedNotificationLog.class)) {
      a = member("a:7800");

      assertThat(log.messages()).singleElement().asString().matches("ERROR cannot read the notification log from "
          + "\\S+nflog\\.json \\(.+\\); moved it to \\S+nflog\\.json\\.20260301T120000Z\\.bad and starting with an empty one");
    }
    assertThat(a.size()).isZero();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("nflog.json.20260301T120000Z.bad");
    }
    a.delivered(notification(alert("n1", T0.toEpochMilli())));
    a.flush();
    assertThat(JSON.readTree(dir.resolve("nflog.json").toFile()).get("entries")).hasSize(1);
  }

  @Test
  void state_ofAThousandAlerts_isAboutTwoHundredBytesEach() throws Exception {
    ReplicatedNotificationLog a = member("a:7800");
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      alerts.add(alert("redis-shard-" + i, T0.toEpochMilli()));
    }
    a.delivered(notification(alerts.toArray(Alert[]::new)));

    int bytes = a.state().length;

    assertThat(JSON.readTree(a.state()).get("entries")).hasSize(1_000);
    assertThat(bytes / 1_000).isBetween(150, 250);
  }

  @Test
  void retentionFor_isTheLongestRepeatIntervalPlusAnHour() throws Exception {
    var monitors = new RuleFiles(name -> null).parse(Map.of("r.yml", """
        monitors:
          - {name: a, metrics: [up as $up], query: [$up], min_allowed_value: 1}
          - {name: b, metrics: [up as $up], query: [$up], min_allowed_value: 1, repeat_interval: 4h}
          - {name: c, metrics: [up as $up], query: [$up], min_allowed_value: 1, repeat_interval: 0s}
        """)).monitors();

    assertThat(ReplicatedNotificationLog.retentionFor(monitors)).isEqualTo(Duration.ofHours(5));
    assertThat(ReplicatedNotificationLog.retentionFor(List.of())).isEqualTo(Duration.ofHours(1));
  }
}
