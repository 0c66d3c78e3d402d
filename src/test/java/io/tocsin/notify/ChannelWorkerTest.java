package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.cluster.ReplicatedNotificationLog;
import io.tocsin.rules.AlertEvent;
import io.tocsin.testing.InMemoryPeers;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries, ordering, give-up and rate limits of one channel, on a simulated clock. The notifier
 * here answers from a script, which is what lets each outcome be chosen; the channels' own tests
 * talk to real servers. In a cluster, the worker belongs to one of two members whose replicated
 * notification logs are connected in memory.
 */
class ChannelWorkerTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final ScriptedNotifier notifier = new ScriptedNotifier();
  private static final Duration PEER_TIMEOUT = Duration.ofSeconds(15);

  private final List<String> events = new ArrayList<>();
  private final InMemoryPeers.Network network = new InMemoryPeers.Network();
  private final Map<String, InMemoryPeers> members = new HashMap<>();
  private final List<ReplicatedNotificationLog> logs = new ArrayList<>();
  private Outbox outbox;
  private ChannelWorker worker;

  /** Answers each send with the next scripted outcome (sent when the script is empty) and records the send. */
  private final class ScriptedNotifier implements Notifier {
    final Deque<Delivery> script = new ArrayDeque<>();
    final List<String> sent = new ArrayList<>();
    final List<Notification> notifications = new ArrayList<>();
    Duration minInterval = Duration.ZERO;

    @Override
    public Delivery send(Notification n) {
      sent.add(n.monitor() + " @" + (clock.millis() - T0.toEpochMilli()) / 1000 + "s");
      notifications.add(n);
      Delivery next = script.poll();
      return next == null ? Delivery.sent("ok") : next;
    }

    @Override
    public Duration minInterval() {
      return minInterval;
    }
  }

  @AfterEach
  void closeLogs() {
    logs.forEach(ReplicatedNotificationLog::close);
  }

  private void start(Duration giveUpAfter) {
    start(giveUpAfter, NotificationLog.ALONE);
  }

  /** A member of the in-memory cluster, with its notification log in a data directory of its own. */
  private ReplicatedNotificationLog member(String name) {
    InMemoryPeers peers = network.join(name);
    members.put(name, peers);
    ReplicatedNotificationLog nflog = ReplicatedNotificationLog.open(peers, dataDir.resolve(name), clock, PEER_TIMEOUT,
        () -> Duration.ofHours(1), null);
    peers.register(nflog);
    logs.add(nflog);
    return nflog;
  }

  private void start(Duration giveUpAfter, NotificationLog notificationLog) {
    outbox = new Outbox(dataDir.resolve("outbox"));
    ChannelDeclaration d = new ChannelDeclaration("hook", "webhook",
        new YamlNode.Mapping(new Mark("r.yml", 1, 1), Map.of()), new Mark("r.yml", 1, 1));
    worker = new ChannelWorker(new Channel(d, true, notifier, Redactor.NONE), outbox, clock, new Backoff(Duration.ofSeconds(10),
        Duration.ofMinutes(5), bound -> bound / 2), giveUpAfter, new ChannelWorker.Listener() {
          @Override
          public void attempted(Notification n, Delivery delivery, int attempt) {
            events.add(n.monitor() + " " + delivery.outcome().id() + " #" + attempt);
          }

          @Override
          public void gaveUp(Notification n, int attempts) {
            events.add(n.monitor() + " gave up after " + attempts);
          }

          @Override
          public void deduplicated(Notification n, String by) {
            events.add(n.monitor() + " deduplicated, sent by " + by);
          }
        }, notificationLog);
  }

  private void enqueue(String monitor) throws Exception {
    enqueue(notification(monitor, alert("n1", AlertEvent.Type.FIRING, clock.millis())));
  }

  private void enqueue(Notification n) throws Exception {
    worker.add(outbox.write(n));
  }

  /** An alert of node {@code node}; the same node, type and time make the same alert in the log. */
  private static Alert alert(String node, AlertEvent.Type type, long at) {
    return new Alert(type, Map.of("node", node), Map.of(), 0, 1, at, at, 0, at, "m-" + node, "");
  }

  private Notification notification(String monitor, Alert... alerts) {
    long now = clock.millis();
    return new Notification(outbox.nextId(now), "hook", "m", monitor, Map.of(), "", "http://x/m", List.of(alerts), now,
        false);
  }

  private long outboxFiles() throws Exception {
    try (Stream<Path> files = Files.walk(dataDir.resolve("outbox"))) {
      return files.filter(f -> f.toString().endsWith(".json")).count();
    }
  }

  private void advance(int seconds) {
    clock.advance(Duration.ofSeconds(seconds));
  }

  @Test
  void sent_leavesTheOutbox() throws Exception {
    start(Duration.ofHours(24));
    enqueue("a");
    assertThat(outboxFiles()).isEqualTo(1);

    assertThat(worker.deliverDue()).isEqualTo(Long.MAX_VALUE);

    assertThat(events).containsExactly("a sent #1");
    assertThat(outboxFiles()).isZero();
    assertThat(worker.queued()).isZero();
  }

  @Test
  void retry_waitsForTheBackoffThenSends() throws Exception {
    start(Duration.ofHours(24));
    notifier.script.add(Delivery.retry("HTTP 500", null));
    enqueue("a");

    long next = worker.deliverDue();
    // First backoff: half the initial 10 s, plus the (fixed) jitter's half of the other half.
    assertThat(next - clock.millis()).isEqualTo(7_500L);
    assertThat(outboxFiles()).isEqualTo(1);
    advance(4);
    worker.deliverDue();
    assertThat(notifier.sent).containsExactly("a @0s");

    advance(6);
    assertThat(worker.deliverDue()).isEqualTo(Long.MAX_VALUE);
    assertThat(events).containsExactly("a retry #1", "a sent #2");
    assertThat(outboxFiles()).isZero();
  }

  @Test
  void retryAfter_isHonouredExactly() throws Exception {
    start(Duration.ofHours(24));
    notifier.script.add(Delivery.ofHttp(429, "slow down", "30"));
    enqueue("a");

    assertThat(worker.deliverDue() - clock.millis()).isEqualTo(30_000);
    advance(29);
    worker.deliverDue();
    assertThat(notifier.sent).hasSize(1);
    advance(1);
    worker.deliverDue();
    assertThat(notifier.sent).containsExactly("a @0s", "a @30s");
  }

  @Test
  void failed_isDroppedWithoutRetry_andTheNextOneGoes() throws Exception {
    start(Duration.ofHours(24));
    notifier.script.add(Delivery.ofHttp(400, "bad payload", null));
    enqueue("a");
    enqueue("b");

    worker.deliverDue();

    assertThat(events).containsExactly("a failed #1", "b sent #1");
    assertThat(outboxFiles()).isZero();
  }

  @Test
  void aRetryingNotification_holdsBackTheOnesBehindIt() throws Exception {
    start(Duration.ofHours(24));
    notifier.script.add(Delivery.retry("connection refused", null));
    enqueue("firing");
    enqueue("resolved");

    worker.deliverDue();
    assertThat(notifier.sent).containsExactly("firing @0s");
    advance(10);
    worker.deliverDue();

    assertThat(notifier.sent).containsExactly("firing @0s", "firing @10s", "resolved @10s");
  }

  @Test
  void retriesStop_afterTheGiveUpAge() throws Exception {
    start(Duration.ofMinutes(1));
    for (int i = 0; i < 100; i++) {
      notifier.script.add(Delivery.retry("HTTP 503", null));
    }
    enqueue("a");

    for (int s = 0; s <= 70; s += 10) {
      worker.deliverDue();
      advance(10);
    }

    assertThat(events).last().isEqualTo("a gave up after " + notifier.sent.size());
    assertThat(notifier.sent).hasSizeBetween(2, 7);
    assertThat(outboxFiles()).isZero();
  }

  @Test
  void minInterval_spacesSends() throws Exception {
    start(Duration.ofHours(24));
    notifier.minInterval = Duration.ofSeconds(1);
    enqueue("a");
    enqueue("b");

    long next = worker.deliverDue();
    assertThat(notifier.sent).containsExactly("a @0s");
    assertThat(next).isEqualTo(clock.millis() + 1_000);
    advance(1);
    worker.deliverDue();
    assertThat(notifier.sent).containsExactly("a @0s", "b @1s");
  }

  @Test
  void aNotifierThatThrows_isRetriedNotLost() throws Exception {
    start(Duration.ofHours(24));
    Notifier broken = n -> {
      throw new IllegalStateException("bug");
    };
    worker.replace(new Channel(worker.channel().declaration(), true, broken, Redactor.NONE));
    enqueue("a");

    worker.deliverDue();

    assertThat(worker.queued()).isEqualTo(1);
    assertThat(outboxFiles()).isEqualTo(1);
  }

  @Test
  void outbox_isReadBackInOrderAfterARestart() throws Exception {
    start(Duration.ofHours(24));
    notifier.script.add(Delivery.retry("down", null));
    enqueue("first");
    enqueue("second");
    worker.deliverDue();

    Outbox reopened = new Outbox(dataDir.resolve("outbox"));
    List<Outbox.Entry> waiting = reopened.load("hook");

    assertThat(waiting).extracting(e -> e.notification().monitor()).containsExactly("first", "second");
    assertThat(waiting.get(0).notification().alerts().get(0).value()).isZero();
    assertThat(reopened.nextId(clock.millis())).endsWith("-000000003");
  }

  @Test
  void outbox_keepsValuesThatJsonHasNoNumberFor() throws Exception {
    start(Duration.ofHours(24));
    long now = clock.millis();
    Alert absent = new Alert(AlertEvent.Type.FIRING, Map.of(), Map.of("summary", "gone"), Double.NaN,
        Double.POSITIVE_INFINITY, now, now, 0, now, "m-2", "");
    outbox.write(new Notification(outbox.nextId(now), "hook", "m", "m", Map.of("team", "db"), "ms", "l",
        List.of(absent), now, false));

    Alert read = new Outbox(dataDir.resolve("outbox")).load("hook").get(0).notification().alerts().get(0);

    assertThat(read).isEqualTo(absent);
  }

  @Test
  void outbox_keepsTheNotificationsOfOneSyncInOneFile_andReadsBackOnlyThoseNotDone() throws Exception {
    start(Duration.ofHours(24));
    notifier.script.add(Delivery.sent("ok"));
    notifier.script.add(Delivery.retry("down", null));
    enqueue("first");
    enqueue("second");
    enqueue("third");
    worker.deliverDue();

    assertThat(events).containsExactly("first sent #1", "second retry #1");
    assertThat(outboxFiles()).isEqualTo(1);
    List<Outbox.Entry> waiting = new Outbox(dataDir.resolve("outbox")).load("hook");
    assertThat(waiting).extracting(e -> e.notification().monitor()).containsExactly("second", "third");

    advance(60);
    worker.deliverDue();
    assertThat(notifier.sent).hasSize(4);
    assertThat(outboxFiles()).isZero();
  }

  @Test
  void outbox_readsAFileWhoseLastWriteACrashCutShort() throws Exception {
    start(Duration.ofHours(24));
    enqueue("first");
    enqueue("second");
    Path file;
    try (Stream<Path> files = Files.list(outbox.directory("hook"))) {
      file = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    Files.writeString(file, "{\"done\":\"00000", StandardOpenOption.APPEND);

    List<Outbox.Entry> waiting = new Outbox(dataDir.resolve("outbox")).load("hook");

    assertThat(waiting).extracting(e -> e.notification().monitor()).containsExactly("first", "second");
    assertThat(file).exists();
  }

  @Test
  void outbox_movesAnUnreadableFileAside() throws Exception {
    start(Duration.ofHours(24));
    enqueue("good");
    Path dir = outbox.directory("hook");
    Files.writeString(dir.resolve("0000000000000-000000000.json"), "{not json");

    List<Outbox.Entry> waiting = new Outbox(dataDir.resolve("outbox")).load("hook");

    assertThat(waiting).extracting(e -> e.notification().monitor()).containsExactly("good");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("0000000000000-"))).singleElement()
          .asString().matches("0000000000000-000000000\\.json\\.\\d{8}T\\d{6}Z\\.bad");
    }
  }

  @Test
  void firstMember_sendsAtOnce_andItsPeerSeesTheDelivery() throws Exception {
    ReplicatedNotificationLog first = member("a:7800");
    ReplicatedNotificationLog second = member("b:7800");
    start(Duration.ofHours(24), first);
    Notification n = notification("a", alert("n1", AlertEvent.Type.FIRING, clock.millis()));
    enqueue(n);

    assertThat(worker.deliverDue()).isEqualTo(Long.MAX_VALUE);

    assertThat(notifier.sent).containsExactly("a @0s");
    assertThat(second.deliveredBy(n, n.alerts().get(0))).contains("a:7800");
  }

  @Test
  void secondMember_waitsThePeerTimeout_thenDropsWhatThePeerDelivered() throws Exception {
    ReplicatedNotificationLog first = member("a:7800");
    ReplicatedNotificationLog second = member("b:7800");
    start(Duration.ofHours(24), second);
    Notification n = notification("a", alert("n1", AlertEvent.Type.FIRING, clock.millis()));
    enqueue(n);

    assertThat(worker.deliverDue()).isEqualTo(T0.toEpochMilli() + 15_000);
    first.delivered(n);
    advance(15);
    assertThat(worker.deliverDue()).isEqualTo(Long.MAX_VALUE);

    assertThat(notifier.sent).isEmpty();
    assertThat(events).containsExactly("a deduplicated, sent by a:7800");
    assertThat(outboxFiles()).isZero();
    assertThat(worker.queued()).isZero();
  }

  @Test
  void secondMember_sendsAfterThePeerTimeout_whenThePeerDiedBeforeRecording() throws Exception {
    member("a:7800");
    ReplicatedNotificationLog second = member("b:7800");
    start(Duration.ofHours(24), second);
    enqueue("a");

    advance(14);
    worker.deliverDue();
    assertThat(notifier.sent).isEmpty();
    advance(1);
    worker.deliverDue();

    assertThat(notifier.sent).containsExactly("a @15s");
    assertThat(events).containsExactly("a sent #1");
    assertThat(outboxFiles()).isZero();
  }

  @Test
  void aPartlyDeliveredNotification_sendsOnlyTheAlertsNoPeerDelivered() throws Exception {
    ReplicatedNotificationLog first = member("a:7800");
    ReplicatedNotificationLog second = member("b:7800");
    start(Duration.ofHours(24), second);
    long now = clock.millis();
    Alert n1 = alert("n1", AlertEvent.Type.FIRING, now);
    Alert n2 = alert("n2", AlertEvent.Type.FIRING, now);
    enqueue(notification("a", n1, n2));
    first.delivered(notification("a", n1));

    advance(15);
    worker.deliverDue();

    assertThat(notifier.notifications).singleElement().satisfies(n -> assertThat(n.alerts()).containsExactly(n2));
    Notification other = notification("a", n1, n2);
    assertThat(first.deliveredBy(other, n2)).contains("b:7800");
    assertThat(outboxFiles()).isZero();
  }

  @Test
  void anotherEventOfTheSameAlert_isNotCoveredByTheFirst() throws Exception {
    ReplicatedNotificationLog first = member("a:7800");
    ReplicatedNotificationLog second = member("b:7800");
    start(Duration.ofHours(24), second);
    long firedAt = clock.millis();
    first.delivered(notification("a", alert("n1", AlertEvent.Type.FIRING, firedAt)));
    advance(60);
    enqueue(notification("a", alert("n1", AlertEvent.Type.RESOLVED, clock.millis())));
    enqueue(notification("b", alert("n1", AlertEvent.Type.FIRING, clock.millis())));

    advance(15);
    worker.deliverDue();

    assertThat(notifier.sent).containsExactly("a @75s", "b @75s");
  }

  @Test
  void aRetry_isDroppedWhenAPeerDeliveredMeanwhile() throws Exception {
    ReplicatedNotificationLog first = member("a:7800");
    ReplicatedNotificationLog second = member("b:7800");
    start(Duration.ofHours(24), first);
    notifier.script.add(Delivery.retry("HTTP 503", null));
    Notification n = notification("a", alert("n1", AlertEvent.Type.FIRING, clock.millis()));
    enqueue(n);

    worker.deliverDue();
    second.delivered(n);
    advance(10);
    worker.deliverDue();

    assertThat(notifier.sent).containsExactly("a @0s");
    assertThat(events).containsExactly("a retry #1", "a deduplicated, sent by b:7800");
    assertThat(outboxFiles()).isZero();
  }

  @Test
  void aHeldNotification_holdsBackTheOnesBehindIt_evenWhenTheMemberMovesUp() throws Exception {
    member("a:7800");
    ReplicatedNotificationLog second = member("b:7800");
    start(Duration.ofHours(24), second);
    enqueue("firing");
    advance(5);
    network.leave(members.get("a:7800")); // b is now first: what it takes from now on has no hold
    enqueue("resolved");

    worker.deliverDue();
    assertThat(notifier.sent).isEmpty();
    advance(10);
    worker.deliverDue();

    assertThat(notifier.sent).containsExactly("firing @15s", "resolved @15s");
  }

  @Test
  void aNotificationReloadedFromTheOutbox_isHeldFromWhenItWasCreated() throws Exception {
    member("a:7800");
    ReplicatedNotificationLog second = member("b:7800");
    start(Duration.ofHours(24), second);
    Notification n = notification("a", alert("n1", AlertEvent.Type.FIRING, clock.millis()));
    outbox.write(n);
    advance(10);

    start(Duration.ofHours(24), second); // a restart 10 s later reads the outbox back
    outbox.load("hook").forEach(worker::add);

    assertThat(worker.deliverDue()).isEqualTo(T0.toEpochMilli() + 15_000);
    advance(5);
    worker.deliverDue();
    assertThat(notifier.sent).containsExactly("a @15s");
  }

  @Test
  void whatThisMemberSentBeforeACrash_isNotSentAgainFromTheOutbox() throws Exception {
    ReplicatedNotificationLog first = member("a:7800");
    start(Duration.ofHours(24), first);
    Notification n = notification("a", alert("n1", AlertEvent.Type.FIRING, clock.millis()));
    enqueue(n);
    first.delivered(n); // the channel took it; the crash came before the outbox file was deleted

    worker.deliverDue();

    assertThat(notifier.sent).isEmpty();
    assertThat(events).containsExactly("a deduplicated, sent by a:7800");
    assertThat(outboxFiles()).isZero();
  }
}
