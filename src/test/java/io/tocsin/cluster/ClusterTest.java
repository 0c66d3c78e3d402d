package io.tocsin.cluster;

import static io.tocsin.testing.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.config.HostPort;
import io.tocsin.config.ServerConfig;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.TestClusters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.protocols.TCPPING;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real JGroups members on 127.0.0.1, several in this JVM. */
class ClusterTest {
  private final List<Cluster> started = new ArrayList<>();

  @AfterEach
  void leave() {
    started.forEach(Cluster::close);
  }

  /** A part that records what reaches it and hands over a fixed state. */
  private static final class Recorder implements SharedState {
    final String name;
    final String state;
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<String> merged = new CopyOnWriteArrayList<>();

    Recorder(String name, String state) {
      this.name = name;
      this.state = state;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void receive(String from, byte[] message) {
      received.add(from + " " + new String(message, StandardCharsets.UTF_8));
    }

    @Override
    public byte[] state() {
      return state.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void merge(byte[] peerState) {
      merged.add(new String(peerState, StandardCharsets.UTF_8));
    }
  }

  private Cluster member(String cluster, int port, List<Integer> ports, String secret, SharedState... parts)
      throws Exception {
    Cluster member = Cluster.create(TestClusters.member(cluster, port, ports, secret), new PrometheusRegistry());
    started.add(member);
    for (SharedState part : parts) {
      member.register(part);
    }
    member.connect();
    return member;
  }

  private List<Cluster> three(String secret, Recorder[] parts) throws Exception {
    List<Integer> ports = TestClusters.freePorts(3);
    List<Cluster> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(member("three", ports.get(i), ports, secret, parts[i]));
    }
    await("one view of three", () -> members.stream().allMatch(m -> m.members().size() == 3));
    return members;
  }

  @Test
  void connect_threeMembers_formOneViewWithPositionsInJoinOrder() throws Exception {
    List<Integer> ports = TestClusters.freePorts(3);
    try (LogCapture logs = LogCapture.of(Cluster.class)) {
      List<Cluster> members = new ArrayList<>();
      for (int port : ports) {
        members.add(member("order", port, ports, "s3cret"));
      }
      await("one view of three", () -> members.stream().allMatch(m -> m.members().size() == 3));

      List<String> names = ports.stream().map(p -> "127.0.0.1:" + p).toList();
      assertThat(members).allSatisfy(m -> assertThat(m.members()).isEqualTo(names));
      assertThat(members).extracting(Cluster::position).containsExactly(0, 1, 2);
      assertThat(members).extracting(Cluster::viewId).containsOnly(members.get(0).viewId());
      assertThat(logs.messages()).contains(
          "INFO cluster \"order\": joined as " + names.get(0) + ", position 0 of 1 (view 0)",
          "INFO cluster \"order\": joined as " + names.get(2) + ", position 2 of 3 (view 2)");
      assertThat(logs.messages()).noneMatch(line -> line.contains("s3cret"));
    }
  }

  @Test
  void connect_membersStartingTogether_formOneViewAndBlameNoSecret() throws Exception {
    List<Integer> ports = TestClusters.freePorts(3);
    try (LogCapture logs = LogCapture.of(Cluster.class)) {
      List<Cluster> members = new ArrayList<>();
      for (int port : ports) {
        Cluster member = Cluster.create(TestClusters.member("together", port, ports, "s3cret"), new PrometheusRegistry());
        started.add(member);
        members.add(member);
      }
      List<Thread> joining = new ArrayList<>();
      for (Cluster m : members) {
        Thread t = new Thread(() -> {
          try {
            m.connect();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        t.start();
        joining.add(t);
      }
      for (Thread t : joining) {
        t.join();
      }

      await("one view of three", () -> members.stream().allMatch(m -> m.members().size() == 3));
      assertThat(logs.messages()).noneMatch(line -> line.startsWith("ERROR") || line.startsWith("WARN"));
    }
  }

  @Test
  void connect_wildcardBind_isNamedAfterTheHostAndReachable() throws Exception {
    List<Integer> ports = TestClusters.freePorts(2);
    ServerConfig.Cluster loopback = TestClusters.member("wild", ports.get(0), ports, "s3cret");
    ServerConfig.Cluster wildcard = new ServerConfig.Cluster("wild", new HostPort("0.0.0.0", ports.get(1)),
        loopback.members(), null, loopback.secret(), loopback.peerTimeout(), null);
    Cluster first = member("wild", ports.get(0), ports, "s3cret");
    Cluster second = Cluster.create(wildcard, new PrometheusRegistry());
    started.add(second);

    second.connect();

    await("a view of two", () -> first.members().size() == 2);
    assertThat(second.self()).isEqualTo(InetAddress.getLocalHost().getHostName() + ":" + ports.get(1));
    assertThat(first.members()).containsExactly(first.self(), second.self());
  }

  @Test
  void broadcast_reachesTheOtherMembersButNotTheSender() throws Exception {
    Recorder[] parts = {new Recorder("nflog", ""), new Recorder("nflog", ""), new Recorder("nflog", "")};
    List<Cluster> members = three("s3cret", parts);

    members.get(1).broadcast("nflog", "sent".getBytes(StandardCharsets.UTF_8));
    members.get(1).broadcast("unknown-part", "ignored".getBytes(StandardCharsets.UTF_8));

    String from = members.get(1).self();
    await("the broadcast at 0 and 2", () -> parts[0].received.size() == 1 && parts[2].received.size() == 1);
    assertThat(parts[0].received).containsExactly(from + " sent");
    assertThat(parts[2].received).containsExactly(from + " sent");
    members.get(0).broadcast("nflog", "back".getBytes(StandardCharsets.UTF_8));
    await("the reply at 1", () -> parts[1].received.size() == 1);
    assertThat(parts[1].received).containsExactly(members.get(0).self() + " back");
    assertThat(parts[0].received).hasSize(1);
  }

  @Test
  void connect_lateJoiner_mergesTheStateOfEveryPartItRuns() throws Exception {
    List<Integer> ports = TestClusters.freePorts(3);
    member("late", ports.get(0), ports, "s3cret", new Recorder("nflog", "log of 0"), new Recorder("silences", "silences of 0"),
        new Recorder("retired", "state the joiner does not know"));
    member("late", ports.get(1), ports, "s3cret", new Recorder("nflog", "log of 1"), new Recorder("silences", "silences of 1"));
    Recorder nflog = new Recorder("nflog", "");
    Recorder silences = new Recorder("silences", "");
    Recorder newPart = new Recorder("shards", "");

    Cluster joiner = member("late", ports.get(2), ports, "s3cret", nflog, silences, newPart);

    assertThat(joiner.members()).hasSize(3);
    assertThat(nflog.merged).containsExactly("log of 0");
    assertThat(silences.merged).containsExactly("silences of 0");
    assertThat(newPart.merged).isEmpty();
  }

  @Test
  void close_oldestLeaves_theOthersMoveUp() throws Exception {
    Recorder[] parts = {new Recorder("p", ""), new Recorder("p", ""), new Recorder("p", "")};
    List<Cluster> members = three("", parts);
    long before = members.get(1).viewId();

    members.get(0).close();

    // Normally the next oldest takes over at once; on a loaded machine the survivors may first
    // suspect each other and then merge, and the merge may order them the other way round.
    await("a view of two that both survivors share", () -> members.get(1).members().size() == 2
        && members.get(1).members().equals(members.get(2).members()));
    List<String> view = members.get(1).members();
    assertThat(view).containsExactlyInAnyOrder(members.get(1).self(), members.get(2).self());
    assertThat(members.get(1).position()).isEqualTo(view.indexOf(members.get(1).self()));
    assertThat(members.get(2).position()).isEqualTo(view.indexOf(members.get(2).self()));
    assertThat(members.get(1).viewId()).isGreaterThan(before);
  }

  @Test
  void viewChange_partitionHeals_eachSideMergesTheStateOfTheOther() throws Exception {
    List<Integer> ports = TestClusters.freePorts(2);
    Recorder left = new Recorder("silences", "left state");
    Recorder right = new Recorder("silences", "right state");
    // Each side knows only itself: two views of one, as after a partition.
    Cluster a = member("split", ports.get(0), List.of(ports.get(0)), "s3cret", left);
    Cluster b = member("split", ports.get(1), List.of(ports.get(1)), "s3cret", right);
    assertThat(a.members()).hasSize(1);
    assertThat(b.members()).hasSize(1);

    // The network comes back: each finds the other again.
    List<InetSocketAddress> both = ports.stream().map(p -> new InetSocketAddress("127.0.0.1", p)).toList();
    for (Cluster side : List.of(a, b)) {
      side.channel().getProtocolStack().<TCPPING>findProtocol(TCPPING.class).setInitialHosts(both);
    }

    await("one view of two", () -> a.members().size() == 2 && b.members().size() == 2);
    await("the states exchanged", () -> left.merged.size() == 1 && right.merged.size() == 1);
    assertThat(left.merged).containsExactly("right state");
    assertThat(right.merged).containsExactly("left state");
  }

  @Test
  void connect_wrongSecret_staysAloneSaysWhyAndInjectsNothing() throws Exception {
    refusedJoiner("other secret");
  }

  @Test
  void connect_noSecret_staysAloneSaysWhyAndInjectsNothing() throws Exception {
    refusedJoiner("");
  }

  private void refusedJoiner(String secret) throws Exception {
    List<Integer> ports = TestClusters.freePorts(3);
    Recorder atOldest = new Recorder("silences", "");
    Recorder atSecond = new Recorder("silences", "");
    Recorder intruder = new Recorder("silences", "");
    try (LogCapture logs = LogCapture.of(Cluster.class)) {
      Cluster oldest = member("guarded", ports.get(0), ports, "s3cret", atOldest);
      Cluster second = member("guarded", ports.get(1), ports, "s3cret", atSecond);
      Cluster refused = member("guarded", ports.get(2), ports, secret, intruder);

      assertThat(refused.members()).containsExactly(refused.self());
      refused.broadcast("silences", "forged".getBytes(StandardCharsets.UTF_8));
      second.broadcast("silences", "genuine".getBytes(StandardCharsets.UTF_8));
      await("the genuine message", () -> atOldest.received.size() == 1);
      assertThat(atOldest.received).containsExactly(second.self() + " genuine");
      assertThat(oldest.members()).containsExactly(oldest.self(), second.self());
      assertThat(intruder.merged).isEmpty();
      assertThat(intruder.received).isEmpty();

      String others = new TreeSet<>(List.of(oldest.self(), second.self())).toString();
      assertThat(logs.messages()).contains("ERROR cluster \"guarded\": could not join the members at " + others
          + ": they refused this node's credentials — cluster.secret must be the same on every member; running alone");
      await("a warning on the refusing side", () -> logs.messages().stream().anyMatch(line ->
          line.startsWith("WARN cluster \"guarded\": refused traffic from " + refused.self() + ": it is ")));
      assertThat(logs.messages()).noneMatch(line -> line.contains("s3cret") || line.contains("other secret"));
    }
  }
}
