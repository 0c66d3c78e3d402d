package io.tocsin.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.AlertState;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.LevelRuns;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.InMemoryPeers;
import io.tocsin.testing.LogCapture;
import io.tocsin.util.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Monitor placement and the replicated alert state over an in-memory network: members share one
 * store (every replica receives the same data) and one simulated clock. Monitors have one-minute
 * buckets evaluated as soon as they end.
 */
class MonitorShardingTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
  private final InMemoryPeers.Network network = new InMemoryPeers.Network();

  /** One member: its engine, its part of the cluster, and what its engine handed to its channels. */
  private record Member(InMemoryPeers peers, MonitorEngine engine, MonitorSharding sharding, List<String> sent) {
    boolean evaluates(String id) {
      return engine.placements().get(id);
    }

    MonitorStatus monitor(String id) {
      return engine.monitor(id).orElseThrow();
    }
  }

  private Member join(String name, SeriesStore data, List<MonitorDefinition> monitors, int replicas) {
    List<String> sent = new ArrayList<>();
    MonitorEngine engine = MonitorEngine.inMemory(data, (m, events) -> events.forEach(e -> sent.add(
        m.id() + " " + e.type().id() + " at " + (e.at() - T0.toEpochMilli()) / 60_000)), clock);
    engine.load(monitors);
    InMemoryPeers peers = network.join(name);
    MonitorSharding sharding = MonitorSharding.attach(peers, engine, replicas);
    peers.register(sharding);
    return new Member(peers, engine, sharding, sent);
  }

  /** {@code count} monitors, "Down 1" to "Down <count>", each firing when {@code <metric>} is below 1 for a minute. */
  private static List<MonitorDefinition> monitors(int count, String metric) throws Exception {
    StringBuilder yaml = new StringBuilder("monitors:\n");
    for (int i = 1; i <= count; i++) {
      yaml.append("""
            - name: Down %d
              metrics: [%s as $up]
              query: [group by node, $up]
              min_allowed_value: 1
              for_duration: %s
              evaluation_delay: 0s
          """.formatted(i, metric, i % 2 == 0 ? "3m" : "1m"));
    }
    return new RuleFiles(name -> null).parse(Map.of("r.yml", yaml.toString())).monitors();
  }

  private static void value(SeriesStore data, String metric, int minute, double v) {
    data.write(metric, MetricKind.GAUGE, Labels.of("node", "n1"),
        s -> s.append(T0.toEpochMilli() + minute * 60_000L + 10_000, v));
  }

  private void evaluateAt(int minute, List<Member> members) {
    clock.set(T0.plus(Duration.ofMinutes(minute)));
    members.forEach(m -> m.engine().evaluateDue(clock.millis()));
  }

  private static List<String> ids(Member member) {
    return List.copyOf(member.engine().placements().keySet());
  }

  @Test
  void weight_isTheFirst64BitsOfSha256_stableAcrossVersions() {
    // printf 'down-1\x0010.0.0.1:7800' | sha256sum: 1412a513bef70f05...
    assertThat(MonitorSharding.weight("down-1", "10.0.0.1:7800")).isEqualTo(0x1412a513bef70f05L);
  }

  @Test
  void placement_of30MonitorsOn3MembersWith2Replicas_givesEachExactly2Owners_theSameOnEveryMember() throws Exception {
    List<MonitorDefinition> monitors = monitors(30, "up");
    List<Member> members = List.of(join("a:7800", store, monitors, 2), join("b:7800", store, monitors, 2),
        join("c:7800", store, monitors, 2));

    Map<String, Integer> evaluatedBy = new HashMap<>();
    for (String id : ids(members.get(0))) {
      List<String> owners = members.get(0).sharding().owners(id);
      assertThat(owners).hasSize(2);
      for (Member m : members) {
        assertThat(m.sharding().owners(id)).isEqualTo(owners);
        assertThat(m.evaluates(id)).isEqualTo(owners.contains(m.peers().self()));
      }
      assertThat(members.stream().filter(m -> m.evaluates(id)).count()).isEqualTo(2);
      owners.forEach(o -> evaluatedBy.merge(o, 1, Integer::sum));
    }
    // 60 evaluations over 3 members: an even spread would be 20 each.
    assertThat(evaluatedBy).isEqualTo(Map.of("a:7800", 22, "b:7800", 19, "c:7800", 19));
  }

  @Test
  void placement_withAsManyReplicasAsMembers_orNone_evaluatesEverythingEverywhere() throws Exception {
    List<MonitorDefinition> monitors = monitors(30, "up");
    Member sharded = join("a:7800", store, monitors, 2);
    join("b:7800", store, monitors, 2);
    Member unsharded = join("c:7800", store, monitors, 0);

    assertThat(unsharded.engine().placements().values()).containsOnly(true);
    assertThat(unsharded.sharding().owners("down-1")).containsExactly("a:7800", "b:7800", "c:7800");
    network.leave(unsharded.peers());
    assertThat(sharded.engine().placements().values()).containsOnly(true);
  }

  @Test
  void memberLeaving_movesOnlyItsMonitors_eachToOneOtherMember() throws Exception {
    List<MonitorDefinition> monitors = monitors(30, "up");
    List<Member> members = new ArrayList<>();
    for (String name : List.of("a:7800", "b:7800", "c:7800", "d:7800")) {
      members.add(join(name, store, monitors, 2));
    }
    Map<String, List<String>> before = new HashMap<>();
    ids(members.get(0)).forEach(id -> before.put(id, members.get(0).sharding().owners(id)));

    List<String> logged;
    try (LogCapture log = LogCapture.of(MonitorSharding.class)) {
      network.leave(members.get(3).peers());
      logged = log.messages();
    }

    List<String> expectedLog = new ArrayList<>();
    for (Member m : members.subList(0, 3)) {
      String self = m.peers().self();
      List<String> tookOver = ids(m).stream()
          .filter(id -> m.evaluates(id) && !before.get(id).contains(self)).toList();
      expectedLog.add("INFO cluster view of 3 members: this member evaluates "
          + ids(m).stream().filter(m::evaluates).count() + " of 30 monitors (shard_monitors.replicas 2)"
          + (tookOver.isEmpty() ? "" : "; took over " + tookOver.size() + ": " + String.join(", ", tookOver)));
    }
    assertThat(logged).containsExactlyElementsOf(expectedLog);
    int moved = 0;
    for (String id : before.keySet()) {
      List<String> now = members.get(0).sharding().owners(id);
      assertThat(now).as(id).hasSize(2).doesNotContain("d:7800");
      if (before.get(id).contains("d:7800")) {
        moved++;
        assertThat(now).as(id).containsAll(before.get(id).stream().filter(o -> !o.equals("d:7800")).toList());
      } else {
        assertThat(now).as(id).isEqualTo(before.get(id));
      }
    }
    assertThat(moved).isEqualTo(before.values().stream().filter(o -> o.contains("d:7800")).count()).isPositive();
  }

  @Test
  void memberLeaving_itsMonitorsContinueOnTheirNewOwner_withoutFiringAgainOrLosingAPendingCount() throws Exception {
    List<MonitorDefinition> monitors = monitors(30, "up");
    List<Member> members = new ArrayList<>(List.of(join("a:7800", store, monitors, 2),
        join("b:7800", store, monitors, 2), join("c:7800", store, monitors, 2)));
    Map<String, List<String>> before = new HashMap<>();
    ids(members.get(0)).forEach(id -> before.put(id, members.get(0).sharding().owners(id)));
    // Below 1 in buckets 0, 1 and 3; no value in bucket 2 (absent_points ignore: neither breach nor recovery).
    for (int minute : List.of(0, 1, 3)) {
      value(store, "up", minute, 0);
    }
    evaluateAt(1, members);
    // The 1m monitors fire on their owners, the 3m ones pend; the third member adopted each.
    for (Member m : members) {
      assertThat(m.engine().monitors()).extracting(s -> s.definition().id() + " " + s.state())
          .containsExactlyInAnyOrderElementsOf(before.keySet().stream()
              .map(id -> id + (Integer.parseInt(id.substring(5)) % 2 == 0 ? " pending" : " firing")).toList());
    }

    Member leaving = members.remove(2);
    network.leave(leaving.peers());
    // A slow view change: the next evaluation is three buckets later.
    evaluateAt(4, members);

    // On each member: the firings at minute 1 of the 1m monitors it owned then, none again for those
    // it took over; every 3m monitor fires at minute 4, its count continued through bucket 2's gap
    // (a fresh start would read buckets 1-3 and still be pending).
    for (Member m : members) {
      List<String> expected = new ArrayList<>();
      before.forEach((id, owners) -> {
        boolean odd = Integer.parseInt(id.substring(5)) % 2 == 1;
        if (odd && owners.contains(m.peers().self())) {
          expected.add(id + " firing at 1");
        } else if (!odd) {
          expected.add(id + " firing at 4");
        }
      });
      assertThat(m.sent()).as(m.peers().self()).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(m.engine().monitors()).extracting(MonitorStatus::state).containsOnly("firing");
    }
  }

  @Test
  void ownersBroadcastAChange_andAMemberEvaluatingTheMonitorIgnoresThePeersState() throws Exception {
    List<MonitorDefinition> monitors = monitors(2, "up");
    List<Member> members = List.of(join("a:7800", store, monitors, 1), join("b:7800", store, monitors, 1));
    value(store, "up", 0, 0);
    value(store, "up", 1, 0);
    evaluateAt(1, members);

    for (String id : List.of("down-1", "down-2")) {
      Member owner = members.stream().filter(m -> m.evaluates(id)).findFirst().orElseThrow();
      Member other = members.stream().filter(m -> !m.evaluates(id)).findFirst().orElseThrow();
      assertThat(other.monitor(id).groups()).isEqualTo(owner.monitor(id).groups()).isNotEmpty();
      assertThat(other.monitor(id).evaluatedHere()).isFalse();
      // Even a later state of the other member's (nothing pending or firing) changes nothing here.
      AlertState later = new AlertState(id, other.engine().alertStates().stream()
          .filter(s -> s.monitorId().equals(id)).findFirst().orElseThrow().stateKey(),
          T0.plus(Duration.ofHours(1)).toEpochMilli(), List.of());
      owner.sharding().receive(other.peers().self(), AlertStateCodec.encode(List.of(later)));
      assertThat(owner.monitor(id).groups()).isNotEmpty();
      assertThat(other.engine().adopt(later)).isTrue();
    }
  }

  @Test
  void joinTransfer_adoptsTheAlertStateOnlyForMonitorsWithoutState() throws Exception {
    List<MonitorDefinition> monitors = monitors(2, "up");
    SeriesStore joinerData = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
    Member peer = join("a:7800", store, monitors, 0);
    value(store, "up", 0, 0);
    value(store, "up", 1, 0);
    // The joiner saw only the last bucket: "Down 2" (for 3m) pends there once, "Down 1" fires.
    value(joinerData, "up", 1, 0);
    evaluateAt(2, List.of(peer));
    assertThat(peer.monitor("down-2").groups()).singleElement().satisfies(g -> assertThat(g.streak()).isEqualTo(2));

    Member joiner = join("b:7800", joinerData, monitors, 0);
    List<MonitorDefinition> onlyDown2 = monitors.stream().filter(d -> d.id().equals("down-2")).toList();
    joiner.engine().load(onlyDown2);
    joiner.engine().evaluateDue(clock.millis());
    joiner.engine().load(monitors);
    network.transferState(joiner.peers());

    assertThat(joiner.monitor("down-1").groups()).isEqualTo(peer.monitor("down-1").groups()).isNotEmpty();
    assertThat(joiner.monitor("down-1").lastBucketEnd()).isEqualTo(peer.monitor("down-1").lastBucketEnd());
    assertThat(joiner.monitor("down-2").groups()).singleElement().satisfies(g -> assertThat(g.streak()).isEqualTo(1));
  }

  @Test
  void joinTransfer_withSharding_alsoRefreshesAnOlderStateOfAMonitorEvaluatedElsewhere() throws Exception {
    List<MonitorDefinition> monitors = monitors(4, "up");
    Member peer = join("a:7800", store, monitors, 1);
    value(store, "up", 0, 0);
    value(store, "up", 1, 1);
    evaluateAt(1, List.of(peer));
    List<AlertState> alerting = peer.engine().alertStates();
    evaluateAt(2, List.of(peer));
    assertThat(peer.engine().monitors()).extracting(MonitorStatus::state).containsOnly("ok");
    // A member restarted with the state it adopted before its stop, of a monitor "a:7800" evaluates.
    SeriesStore restartedData = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
    Member restarted = join("b:7800", restartedData, monitors, 1);
    AlertState stale = alerting.stream().filter(s -> !restarted.evaluates(s.monitorId())).findFirst().orElseThrow();
    assertThat(stale.groups()).isNotEmpty();
    assertThat(restarted.engine().adoptOnJoin(stale)).isTrue();

    network.transferState(restarted.peers());

    assertThat(restarted.monitor(stale.monitorId()).groups()).isEmpty();
    assertThat(restarted.monitor(stale.monitorId()).lastBucketEnd())
        .isEqualTo(T0.plus(Duration.ofMinutes(2)).toEpochMilli());
  }

  @Test
  void alertStateCodec_carriesAGroupsSeverityLevel() throws Exception {
    LevelRuns runs = new LevelRuns(List.of("warning", "critical"), 1, 0b11, new int[] {4, 2});
    GroupState g = new GroupState(Labels.of("node", "n1"), GroupState.State.FIRING, 4, 10, 20, 0, 60, 60, 0.2, 20,
        runs);
    List<AlertState> states = List.of(new AlertState("m", "key", 60, List.of(g)));

    assertThat(AlertStateCodec.decode(AlertStateCodec.encode(states))).isEqualTo(states);
  }

  @Test
  void alertStateCodec_keepsEveryFieldOfAGroup_andRefusesAnUnknownState() throws Exception {
    List<MonitorDefinition> monitors = monitors(2, "up");
    Member member = join("a:7800", store, monitors, 0);
    value(store, "up", 0, 0);
    evaluateAt(1, List.of(member));
    List<AlertState> states = member.engine().alertStates();
    assertThat(states.get(0).groups()).singleElement().satisfies(g -> assertThat(g.value()).isZero());

    assertThat(AlertStateCodec.decode(AlertStateCodec.encode(states))).isEqualTo(states);
    String unknown = new String(AlertStateCodec.encode(states), StandardCharsets.UTF_8)
        .replace("\"firing\"", "\"burning\"");
    assertThatThrownBy(() -> AlertStateCodec.decode(unknown.getBytes(StandardCharsets.UTF_8)))
        .hasMessage("monitor \"down-1\" has a group without labels or neither pending nor firing");
  }

  @Test
  void withoutSharding_nothingIsBroadcastPerEvaluation() throws Exception {
    List<MonitorDefinition> monitors = monitors(2, "up");
    List<byte[]> received = new ArrayList<>();
    Member member = join("a:7800", store, monitors, 0);
    network.join("b:7800").register(new SharedState() {
      @Override
      public String name() {
        return MonitorSharding.NAME;
      }

      @Override
      public void receive(String from, byte[] message) {
        received.add(message);
      }

      @Override
      public byte[] state() {
        return new byte[0];
      }

      @Override
      public void merge(byte[] state) {
      }
    });
    value(store, "up", 0, 0);
    evaluateAt(1, List.of(member));

    assertThat(member.sent()).containsExactly("down-1 firing at 1");
    assertThat(received).isEmpty();
  }

  @Test
  void receive_ignoresAMessageThatCannotBeRead() throws Exception {
    Member member = join("a:7800", store, monitors(1, "up"), 2);
    member.sharding().receive("b:7800", "{\"version\":1,\"monitors\":[{\"id\":\"down-1\"}]}".getBytes());
    member.sharding().receive("b:7800", "not json".getBytes());
    assertThat(member.monitor("down-1").groups()).isEmpty();
  }
}
