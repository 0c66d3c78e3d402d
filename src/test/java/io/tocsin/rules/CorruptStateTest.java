package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.Tocsin;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.RuleHarness;
import io.tocsin.util.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code state.json} that cannot be read does not stop Tocsin: it is set aside, the monitors
 * start over, and the notifications waiting in the outbox are still delivered.
 */
class CorruptStateTest {
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

  private Path stateFile() {
    return dataDir.resolve("state.json");
  }

  /**
   * Runs Tocsin until the monitor fires while the channel is down, so that the notification waits
   * in the outbox, then breaks {@code state.json} with {@code corrupt}; returns its bytes.
   */
  private byte[] fireWhileTheChannelIsDown_thenCorruptTheState(UnaryOperator<byte[]> corrupt) throws Exception {
    receiver.answer(503, "maintenance", Map.of());
    try (Tocsin first = start()) {
      first.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n1"),
          s -> s.append(T0.toEpochMilli() + 10_000, 0));
      clock.set(T0.plus(Duration.ofMinutes(1)));
      first.evaluateMonitors();
      assertThat(first.engine().monitors().get(0).state()).isEqualTo("firing");
    }
    assertThat(outboxFiles()).isEqualTo(1);
    byte[] corrupted = corrupt.apply(Files.readAllBytes(stateFile()));
    Files.write(stateFile(), corrupted);
    return corrupted;
  }

  private long outboxFiles() throws Exception {
    try (Stream<Path> files = Files.walk(dataDir.resolve("outbox"))) {
      return files.filter(f -> f.toString().endsWith(".json")).count();
    }
  }

  private List<String> received() throws Exception {
    List<String> statuses = new ArrayList<>();
    for (RecordingReceiver.Request r : receiver.requests()) {
      JsonNode body = JSON.readTree(r.body());
      statuses.add(r.path() + " " + body.get("status").asText() + " " + body.at("/alerts/0/labels/node").asText());
    }
    return statuses;
  }

  /** Starts Tocsin on the corrupted file and checks that it started clean, set the file aside and delivered. */
  private void startsAnyway(byte[] corrupted, String reason) throws Exception {
    int failedAttempts = receiver.requests().size();
    receiver.answer(200, "", Map.of());
    Path bad = dataDir.resolve("state.json.20260301T120100Z.bad");
    try (LogCapture log = LogCapture.of(MonitorEngine.class); Tocsin second = start()) {
      assertThat(log.messages()).contains("ERROR cannot read monitor state from " + stateFile() + " (" + reason
          + "); moved it to " + bad + " and starting with no monitor state, so alerts that were firing fire again");
      assertThat(bad).hasBinaryContent(corrupted);
      assertThat(second.engine().monitors()).singleElement().satisfies(m -> assertThat(m.groups()).isEmpty());

      clock.set(T0.plus(Duration.ofMinutes(2)));
      second.evaluateMonitors();

      assertThat(received().subList(failedAttempts, received().size())).containsExactly("/hook firing n1");
      assertThat(outboxFiles()).isZero();
    }
    assertThat(stateFile()).exists();
    assertThat(bad).hasBinaryContent(corrupted);
  }

  @Test
  void stateFileWithInvalidUtf8_isSetAside_andQueuedNotificationsAreDelivered() throws Exception {
    byte[] corrupted = fireWhileTheChannelIsDown_thenCorruptTheState(bytes -> {
      byte[] b = Arrays.copyOf(bytes, bytes.length);
      b[1] = (byte) 0xff;
      return b;
    });

    startsAnyway(corrupted, "Invalid UTF-8 start byte 0xff at line 1, column 3");
  }

  @Test
  void emptyStateFile_isSetAside_andQueuedNotificationsAreDelivered() throws Exception {
    byte[] corrupted = fireWhileTheChannelIsDown_thenCorruptTheState(bytes -> new byte[0]);

    startsAnyway(corrupted, "No content to map due to end-of-input at line 1, column 1");
  }

  @Test
  void truncatedStateFile_isSetAside_andQueuedNotificationsAreDelivered() throws Exception {
    byte[] corrupted = fireWhileTheChannelIsDown_thenCorruptTheState(bytes -> Arrays.copyOf(bytes, 40));

    startsAnyway(corrupted, "Unexpected end-of-input in field name at line 1, column 41");
  }

  @Test
  void stateFileOfTheWrongShape_isSetAside_andQueuedNotificationsAreDelivered() throws Exception {
    byte[] corrupted = fireWhileTheChannelIsDown_thenCorruptTheState(
        bytes -> "{\"version\": 1, \"monitors\": {\"key\": 7}, \"history\": []}".getBytes(StandardCharsets.UTF_8));

    startsAnyway(corrupted, "Cannot deserialize value of type `java.util.ArrayList<io.tocsin.rules.StateFile$SavedMonitor>`"
        + " from Object value (token `JsonToken.START_OBJECT`) at line 1, column 28");
  }

  @Test
  void stateFileWithAnUnknownGroupState_isSetAside_andQueuedNotificationsAreDelivered() throws Exception {
    byte[] corrupted = fireWhileTheChannelIsDown_thenCorruptTheState(bytes -> new String(bytes, StandardCharsets.UTF_8)
        .replace("\"state\":\"firing\"", "\"state\":\"exploded\"").getBytes(StandardCharsets.UTF_8));

    startsAnyway(corrupted, "monitor \"Shard is down\" has a group without labels or with an unknown state");
  }
}
