package io.tocsin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.silence.Matcher;
import io.tocsin.notify.silence.Silence;
import io.tocsin.notify.silence.SilenceJson;
import io.tocsin.notify.silence.Silences;
import io.tocsin.testing.InMemoryPeers;
import io.tocsin.testing.LogCapture;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Silences shared by members connected in memory: what a change on one member does on the
 * others, conflicts, a joiner, and what is not sent back.
 */
class ReplicatedSilencesTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Map<String, String> N1 = Map.of("alertname", "Shard is down", "node", "n1");

  @TempDir
  Path dataDirs;

  private final MutableClock clock = new MutableClock(T0);
  private final InMemoryPeers.Network network = new InMemoryPeers.Network();

  /** One member: its own data dir and Silences, and a count of what it broadcast. */
  private final class Member {
    final InMemoryPeers peers;
    final Silences silences;
    final ReplicatedSilences part;
    final AtomicInteger broadcasts = new AtomicInteger();

    Member(String name, MutableClock memberClock) throws IOException {
      peers = network.join(name);
      silences = new Silences(Files.createDirectories(dataDirs.resolve(name)), memberClock);
      part = new ReplicatedSilences(new CountingPeers(peers, broadcasts), silences);
      peers.register(part);
    }

    Silences reopened() {
      return new Silences(dataDirs.resolve(peers.self()), clock);
    }
  }

  /** Counts the broadcasts of one member. */
  private record CountingPeers(InMemoryPeers peers, AtomicInteger count) implements Peers {
    @Override
    public String self() {
      return peers.self();
    }

    @Override
    public List<String> members() {
      return peers.members();
    }

    @Override
    public long viewId() {
      return peers.viewId();
    }

    @Override
    public void broadcast(String state, byte[] message) {
      count.incrementAndGet();
      peers.broadcast(state, message);
    }

    @Override
    public void onViewChange(Consumer<List<String>> listener) {
      peers.onViewChange(listener);
    }
  }

  private Member member(String name) throws IOException {
    return new Member(name, clock);
  }

  private static Silences.Draft draft(String id, Instant endsAt, String matcher, String comment) {
    return new Silences.Draft(id, List.of(Matcher.parse(matcher)), null, endsAt, "ops@example.com", comment);
  }

  private static Instant t(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  private static Silence silence(String id, Instant endsAt, Instant updatedAt, String comment) {
    return new Silence(id, List.of(Matcher.parse("node=\"n1\"")), T0, endsAt, "ops@example.com", comment, updatedAt);
  }

  private static byte[] message(Silence... silences) {
    return SilenceJson.encode(List.of(silences));
  }

  @Test
  void silenceCreatedOnMember3_silencesOnMembers1And2_andIsSavedThere() throws IOException {
    Member m1 = member("m1");
    Member m2 = member("m2");
    Member m3 = member("m3");

    Silence created = m3.silences.save(draft(null, t(60), "node=\"n1\"", "maintenance")).orElseThrow();

    assertThat(m1.silences.silencing(N1, clock.millis())).contains(created.id());
    assertThat(m2.silences.silencing(N1, clock.millis())).contains(created.id());
    assertThat(m1.silences.list()).containsExactly(created);
    assertThat(m2.silences.list()).containsExactly(created);
    assertThat(m1.reopened().list()).containsExactly(created);
  }

  @Test
  void updateAndExpire_propagateToEveryMember() throws IOException {
    Member m1 = member("m1");
    Member m2 = member("m2");
    Member m3 = member("m3");
    String id = m3.silences.save(draft(null, t(60), "node=\"n1\"", "maintenance")).orElseThrow().id();
    clock.set(t(1));

    Silence updated = m2.silences.save(draft(id, t(90), "node=~\"n[12]\"", "longer")).orElseThrow();

    assertThat(m1.silences.list()).containsExactly(updated);
    assertThat(m3.silences.list()).containsExactly(updated);
    assertThat(m1.silences.silencing(Map.of("node", "n2"), clock.millis())).contains(id);

    clock.set(t(2));
    Silence expired = m1.silences.expire(id).orElseThrow();

    assertThat(expired.endsAt()).isEqualTo(t(2));
    assertThat(m2.silences.list()).containsExactly(expired);
    assertThat(m3.silences.list()).containsExactly(expired);
    assertThat(m2.silences.silencing(N1, clock.millis())).isEmpty();
    assertThat(m3.silences.silencing(N1, clock.millis())).isEmpty();
  }

  @Test
  void concurrentUpdates_convergeToTheLaterOne_inBothOrdersOfArrival() throws IOException {
    Member m1 = member("m1");
    Member m2 = member("m2");
    Silence earlier = silence("s1", t(60), t(1), "from m1");
    Silence later = silence("s1", t(90), t(2), "from m2");

    m1.part.receive("m3", message(earlier));
    m1.part.receive("m4", message(later));
    m2.part.receive("m4", message(later));
    m2.part.receive("m3", message(earlier));

    assertThat(m1.silences.list()).containsExactly(later);
    assertThat(m2.silences.list()).containsExactly(later);
    assertThat(m1.reopened().list()).containsExactly(later);
  }

  @Test
  void concurrentUpdates_atTheSameMillisecond_convergeToTheSameOneInBothOrders() throws IOException {
    Member m1 = member("m1");
    Member m2 = member("m2");
    Silence a = silence("s1", t(60), t(1), "a");
    Silence b = silence("s1", t(60), t(1), "b"); // the larger encoding: "b" > "a"

    m1.part.receive("m3", message(a));
    m1.part.receive("m4", message(b));
    m2.part.receive("m4", message(b));
    m2.part.receive("m3", message(a));

    assertThat(m1.silences.list()).containsExactly(b);
    assertThat(m2.silences.list()).containsExactly(b);
  }

  @Test
  void updateOnAMemberWhoseClockIsBehind_stillWinsOnEveryMember() throws IOException {
    MutableClock ahead = new MutableClock(t(10));
    Member m1 = new Member("m1", ahead);
    Member m2 = member("m2"); // its clock says T0, 10 minutes behind m1's
    String id = m1.silences.save(draft(null, t(60), "node=\"n1\"", "maintenance")).orElseThrow().id();

    Silence updated = m2.silences.save(draft(id, t(90), "node=\"n1\"", "longer")).orElseThrow();

    assertThat(updated.updatedAt()).isEqualTo(t(10).plusMillis(1));
    assertThat(m1.silences.list()).containsExactly(updated);
    assertThat(m2.silences.list()).containsExactly(updated);
  }

  @Test
  void joiner_receivesEveryCurrentSilence_byStateTransfer() throws IOException {
    Member m1 = member("m1");
    Member m2 = member("m2");
    m1.silences.save(draft(null, t(60), "node=\"n1\"", "active"));
    m2.silences.save(new Silences.Draft(null, List.of(Matcher.parse("node=\"n2\"")), t(30), t(60), "ops", "pending"));
    String expiredId = m1.silences.save(draft(null, t(60), "node=\"n3\"", "expired")).orElseThrow().id();
    clock.set(t(5));
    m2.silences.expire(expiredId);

    Member joiner = member("m4");
    network.transferState(joiner.peers);

    assertThat(joiner.silences.list()).hasSize(3).isEqualTo(m1.silences.list()).isEqualTo(m2.silences.list());
    assertThat(joiner.reopened().list()).isEqualTo(m1.silences.list());
    assertThat(joiner.broadcasts).hasValue(0); // what it merged is not sent back
  }

  @Test
  void changeOnOneMember_isBroadcastOnce_andNotSentBackByThePeers() throws IOException {
    Member m1 = member("m1");
    Member m2 = member("m2");
    Member m3 = member("m3");

    try (LogCapture log = LogCapture.of(Silences.class)) {
      String id = m3.silences.save(draft(null, t(60), "node=\"n1\"", "maintenance")).orElseThrow().id();
      m3.silences.expire(id);

      assertThat(log.messages()).filteredOn(l -> l.contains("expired")).hasSize(3);
    }
    assertThat(m3.broadcasts).hasValue(2);
    assertThat(m1.broadcasts).hasValue(0);
    assertThat(m2.broadcasts).hasValue(0);
  }

  @Test
  void mergedChange_isLoggedAtInfoWithThePeer() throws IOException {
    Member m1 = member("m1");
    Member m3 = member("m3");

    try (LogCapture log = LogCapture.of(Silences.class)) {
      String id = m3.silences.save(draft(null, t(60), "node=\"n1\"", "maintenance")).orElseThrow().id();
      clock.set(t(1));
      m3.silences.expire(id);

      assertThat(log.messages()).containsExactly(
          "INFO silence " + id + " created: [node=\"n1\"] from 2026-03-01T12:00:00Z to 2026-03-01T13:00:00Z"
              + " by \"ops@example.com\": maintenance",
          "INFO silence " + id + " created by peer m3: [node=\"n1\"] from 2026-03-01T12:00:00Z"
              + " to 2026-03-01T13:00:00Z by \"ops@example.com\": maintenance",
          "INFO silence " + id + " expired: [node=\"n1\"]",
          "INFO silence " + id + " expired by peer m3: [node=\"n1\"] from 2026-03-01T12:00:00Z"
              + " to 2026-03-01T12:01:00Z by \"ops@example.com\": maintenance");
    }
    assertThat(m1.silences.list()).isEqualTo(m3.silences.list());
  }

  @Test
  void silencePastRetention_fromAPeer_isIgnored() throws IOException {
    Member m1 = member("m1");
    clock.set(t(60).plus(Silences.RETENTION));

    m1.part.receive("m2", message(silence("old", t(60), t(0), "ended a day ago")));
    m1.part.merge(message(silence("old", t(60), t(0), "ended a day ago")));

    assertThat(m1.silences.list()).isEmpty();
    assertThat(m1.silences.get("old")).isEmpty();
    assertThat(dataDirs.resolve("m1").resolve("silences.json")).doesNotExist();
  }

  @Test
  void olderUpdate_fromAPeer_changesNothing() throws IOException {
    Member m1 = member("m1");
    Silence current = m1.silences.save(draft(null, t(60), "node=\"n1\"", "current")).orElseThrow();

    try (LogCapture log = LogCapture.of(Silences.class)) {
      m1.part.receive("m2", message(silence(current.id(), t(90), T0.minusMillis(1), "older")));
      m1.part.receive("m2", message(current));

      assertThat(log.messages()).isEmpty();
    }
    assertThat(m1.silences.list()).containsExactly(current);
  }

  @Test
  void viewWithANewMember_makesEachMemberSendItsSilences_soSidesOfAHealedPartitionConverge() throws IOException {
    Member m1 = member("m1");
    Silence onM1 = m1.silences.save(draft(null, t(60), "node=\"n1\"", "side 1")).orElseThrow();
    // m2 saved its silence while it did not see m1 (its part was not connected yet).
    Path m2Dir = Files.createDirectories(dataDirs.resolve("m2"));
    Silence onM2 = new Silences(m2Dir, clock).save(draft(null, t(60), "node=\"n2\"", "side 2")).orElseThrow();
    Member m2 = member("m2");

    member("m3");

    assertThat(m1.silences.list()).containsExactlyInAnyOrder(onM1, onM2);
    assertThat(m2.silences.list()).containsExactlyInAnyOrder(onM1, onM2);
  }

  @Test
  void unreadableMessage_isIgnoredWithAWarning() throws IOException {
    Member m1 = member("m1");

    try (LogCapture log = LogCapture.of(ReplicatedSilences.class)) {
      m1.part.receive("m2", "{\"version\": 2, \"silences\": []}".getBytes(StandardCharsets.UTF_8));
      m1.part.receive("m2", "not json".getBytes(StandardCharsets.UTF_8));

      assertThat(log.messages()).hasSize(2).first()
          .isEqualTo("WARN ignoring silences from peer m2 that cannot be read: format version 2, expected 1");
    }
    assertThat(m1.silences.list()).isEmpty();
  }
}
