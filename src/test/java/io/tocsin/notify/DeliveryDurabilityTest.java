package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.history.AlertHistory;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.RuleHarness;
import io.tocsin.util.AtomicFiles;
import io.tocsin.util.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing is lost when the channel is down or Tocsin restarts: a running Tocsin on a simulated
 * clock, a webhook channel, and a real HTTP receiver that answers 503 until it "comes back".
 */
class DeliveryDurabilityTest {
  private static final Instant T0 = RuleHarness.T0;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dataDir;

  private final RuleHarness harness = new RuleHarness();
  private final MutableClock clock = harness.clock();
  private final RecordingReceiver receiver = RecordingReceiver.start("/hook");

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  private Tocsin start() throws Exception {
    return harness.start(dataDir, RuleHarness.shardIsDown(receiver.url("/hook")));
  }

  private static void down(Tocsin tocsin, int minute) {
    RuleHarness.value(tocsin, "n1", minute, 0);
  }

  private void evaluateAt(Tocsin tocsin, int minute) {
    harness.evaluateAt(tocsin, minute);
  }

  /** The status of each webhook the receiver got, in order. */
  private List<String> received() throws Exception {
    List<String> statuses = new ArrayList<>();
    for (RecordingReceiver.Request r : receiver.requests()) {
      JsonNode body = JSON.readTree(r.body());
      statuses.add(body.get("status").asText() + " " + body.at("/alerts/0/labels/node").asText());
    }
    return statuses;
  }

  private long outboxFiles() throws Exception {
    try (Stream<Path> files = Files.walk(dataDir.resolve("outbox"))) {
      return files.filter(f -> f.toString().endsWith(".json")).count();
    }
  }

  private static List<String> deliveries(Tocsin tocsin) {
    return tocsin.engine().history().entries().stream().filter(e -> e.channel() != null)
        .map(AlertHistory.Entry::type).toList();
  }

  @Test
  void aChannelThatIsDown_getsTheAlertOnceItIsBack() throws Exception {
    receiver.answer(503, "maintenance", Map.of());
    try (Tocsin tocsin = start()) {
      down(tocsin, 0);
      evaluateAt(tocsin, 1);
      down(tocsin, 1);
      evaluateAt(tocsin, 2);
      assertThat(received()).containsExactly("firing n1", "firing n1");
      assertThat(outboxFiles()).isEqualTo(1);

      receiver.answer(200, "", Map.of());
      evaluateAt(tocsin, 3);

      assertThat(received()).containsExactly("firing n1", "firing n1", "firing n1");
      assertThat(deliveries(tocsin)).containsExactly("sent", "retry", "retry");
      assertThat(outboxFiles()).isZero();
    }
  }

  @Test
  void aPendingDelivery_isSentAfterARestart_exactlyOnce() throws Exception {
    receiver.answer(503, "maintenance", Map.of());
    try (Tocsin first = start()) {
      down(first, 0);
      evaluateAt(first, 1);
      assertThat(first.engine().monitors().get(0).state()).isEqualTo("firing");
    }
    assertThat(outboxFiles()).isEqualTo(1);
    int failedAttempts = receiver.requests().size();

    receiver.answer(200, "", Map.of());
    try (Tocsin second = start()) {
      down(second, 1);
      evaluateAt(second, 2);
      down(second, 2);
      evaluateAt(second, 3);

      assertThat(received().subList(failedAttempts, received().size())).containsExactly("firing n1");
      assertThat(second.engine().monitors().get(0).state()).isEqualTo("firing");
      assertThat(outboxFiles()).isZero();
    }
  }

  @Test
  void staleTemporaryFiles_areRemovedAtStart_andTheWaitingEntryIsSentExactlyOnce() throws Exception {
    receiver.answer(503, "maintenance", Map.of());
    try (Tocsin first = start()) {
      down(first, 0);
      evaluateAt(first, 1);
    }
    Path entry;
    try (Stream<Path> files = Files.walk(dataDir.resolve("outbox"))) {
      entry = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    // What writes on a full disk left before: empty temporary files next to the real entry and state.
    List<Path> stale = List.of(entry.resolveSibling("0000000000001-000000007.json.tmp"),
        entry.resolveSibling(entry.getFileName() + ".tmp"), dataDir.resolve("state.json.tmp"),
        dataDir.resolve("silences.json.tmp"));
    for (Path temp : stale) {
      Files.createFile(temp);
    }
    int failedAttempts = receiver.requests().size();

    receiver.answer(200, "", Map.of());
    try (LogCapture log = LogCapture.of(AtomicFiles.class); Tocsin second = start()) {
      assertThat(stale).allSatisfy(temp -> assertThat(temp).doesNotExist());
      assertThat(log.messages()).hasSize(stale.size())
          .allSatisfy(line -> assertThat(line).startsWith("WARN removed ").contains(".tmp (0 bytes)"));
      down(second, 1);
      evaluateAt(second, 2);
      down(second, 2);
      evaluateAt(second, 3);

      assertThat(received().subList(failedAttempts, received().size())).containsExactly("firing n1");
      assertThat(outboxFiles()).isZero();
    }
  }

  @Test
  void theNotificationsOfOneCycle_shareAnOutboxFile_andARestartSendsOnlyThoseNotDelivered() throws Exception {
    String rules = RuleHarness.shardDown("1m").replace("monitors:\n", """
        monitors:
          - name: Shard is still down
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: 1m
            evaluation_delay: 0s
        """) + """
        channels:
          - {name: hook, type: webhook, url: "%s"}
        """.formatted(receiver.url("/hook"));
    receiver.answer(503, "maintenance", Map.of());
    try (Tocsin first = harness.start(dataDir, rules)) {
      down(first, 0);
      evaluateAt(first, 1);
      assertThat(outboxFiles()).isEqualTo(1); // both monitors' notifications, the first one refused

      receiver.answerNext(200, "", Map.of());
      down(first, 1);
      evaluateAt(first, 2); // the retry of the first goes through, the second is refused
      assertThat(deliveries(first)).containsExactly("retry", "sent", "retry");
    }
    int before = receiver.requests().size();

    receiver.answer(200, "", Map.of());
    try (Tocsin second = harness.start(dataDir, rules)) {
      down(second, 2);
      evaluateAt(second, 3);

      List<RecordingReceiver.Request> after = receiver.requests().subList(before, receiver.requests().size());
      assertThat(after).singleElement().satisfies(r -> assertThat(r.body()).contains("Shard is down"));
      assertThat(outboxFiles()).isZero();
    }
  }
}
