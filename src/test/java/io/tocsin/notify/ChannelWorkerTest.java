package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.rules.AlertEvent;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries, ordering, give-up and rate limits of one channel, on a simulated clock. The notifier
 * here answers from a script, which is what lets each outcome be chosen; the channels' own tests
 * talk to real servers.
 */
class ChannelWorkerTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final ScriptedNotifier notifier = new ScriptedNotifier();
  private final List<String> events = new ArrayList<>();
  private Outbox outbox;
  private ChannelWorker worker;

  /** Answers each send with the next scripted outcome (sent when the script is empty) and records the send. */
  private final class ScriptedNotifier implements Notifier {
    final Deque<Delivery> script = new ArrayDeque<>();
    final List<String> sent = new ArrayList<>();
    Duration minInterval = Duration.ZERO;

    @Override
    public Delivery send(Notification n) {
      sent.add(n.monitor() + " @" + (clock.millis() - T0.toEpochMilli()) / 1000 + "s");
      Delivery next = script.poll();
      return next == null ? Delivery.sent("ok") : next;
    }

    @Override
    public Duration minInterval() {
      return minInterval;
    }
  }

  private void start(Duration giveUpAfter) {
    outbox = new Outbox(dataDir.resolve("outbox"));
    ChannelDeclaration d = new ChannelDeclaration("hook", "webhook",
        new YamlNode.Mapping(new Mark("r.yml", 1, 1), Map.of()), new Mark("r.yml", 1, 1));
    worker = new ChannelWorker(new Channel(d, true, notifier, Redactor.NONE), outbox, clock, new Backoff(Duration.ofSeconds(10),
        Duration.ofMinutes(5)), giveUpAfter, new ChannelWorker.Listener() {
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
        }, NotificationLog.ALONE);
  }

  private void enqueue(String monitor) throws Exception {
    long now = clock.millis();
    Alert alert = new Alert(AlertEvent.Type.FIRING, Map.of("node", "n1"), Map.of(), 0, 1, now, now, 0, now,
        "m-1", "");
    worker.add(outbox.write(new Notification(outbox.nextId(now), "hook", "m", monitor, Map.of(), "", "http://x/m",
        List.of(alert), now, false)));
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
    // First backoff: between half and all of the initial 10 s.
    assertThat(next - clock.millis()).isBetween(5_000L, 10_000L);
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
}
