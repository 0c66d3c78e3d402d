package io.tocsin.notify.silence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.testing.LogCapture;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store: the time window, create/update/expire, retention, and what survives a restart. */
class SilencesTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Map<String, String> N1 = Map.of("alertname", "Shard is down", "node", "n1");
  private static final Map<String, String> N2 = Map.of("alertname", "Shard is down", "node", "n2");

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final AtomicInteger ids = new AtomicInteger();

  private Silences open() {
    return new Silences(dataDir, clock, () -> "s" + ids.incrementAndGet());
  }

  private static Silences.Draft draft(String id, Instant startsAt, Instant endsAt, String... matchers) {
    List<Matcher> list = new ArrayList<>();
    for (String m : matchers) {
      list.add(Matcher.parse(m));
    }
    return new Silences.Draft(id, list, startsAt, endsAt, "ops@example.com", "maintenance");
  }

  private static Instant t(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  private static long ms(int minutes) {
    return t(minutes).toEpochMilli();
  }

  @Test
  void silencing_coversFromStartsAtUntilJustBeforeEndsAt() throws IOException {
    Silences silences = open();
    silences.save(draft(null, t(10), t(20), "node=\"n1\""));

    assertThat(silences.silencing(N1, ms(10) - 1)).isEmpty();
    assertThat(silences.silencing(N1, ms(10))).contains("s1");
    assertThat(silences.silencing(N1, ms(20) - 1)).contains("s1");
    assertThat(silences.silencing(N1, ms(20))).isEmpty();
  }

  @Test
  void silencing_needsEveryMatcherToMatch() throws IOException {
    Silences silences = open();
    silences.save(draft(null, null, t(60), "monitor=\"Shard is down\"", "node=~\"n1|n3\""));

    assertThat(silences.silencing(N1, ms(0))).contains("s1");
    assertThat(silences.silencing(N2, ms(0))).isEmpty();
    assertThat(silences.silencing(Map.of("alertname", "Disk is full", "node", "n1"), ms(0))).isEmpty();
  }

  @Test
  void silencing_absentLabelIsEmpty_soANegativeMatcherOnItCovers() throws IOException {
    Silences silences = open();
    silences.save(draft(null, null, t(60), "node=\"n1\"", "zone!=\"eu\""));
    silences.save(draft(null, null, t(60), "node=\"n2\"", "zone=\"eu\""));

    assertThat(silences.silencing(N1, ms(0))).contains("s1");
    assertThat(silences.silencing(N2, ms(0))).isEmpty();
  }

  @Test
  void save_withoutStartsAt_startsNow_andNowIsTheUpdateTime() throws IOException {
    Silences silences = open();
    Silence s = silences.save(draft(null, null, t(60), "node=\"n1\"")).orElseThrow();

    assertThat(s).isEqualTo(new Silence("s1", List.of(Matcher.parse("node=\"n1\"")), T0, t(60), "ops@example.com",
        "maintenance", T0));
    assertThat(s.state(ms(0))).isEqualTo(Silence.State.ACTIVE);
  }

  @Test
  void save_endsAtNotAfterStartsAt_isRejected() {
    Silences silences = open();
    assertThatThrownBy(() -> silences.save(draft(null, t(30), t(30), "node=\"n1\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ends_at (2026-03-01T12:30:00Z) must be after starts_at (2026-03-01T12:30:00Z)");
    assertThat(silences.list()).isEmpty();
  }

  @Test
  void save_endsAtNotInTheFuture_isRejected() {
    Silences silences = open();
    assertThatThrownBy(() -> silences.save(draft(null, t(-60), t(0), "node=\"n1\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ends_at (2026-03-01T12:00:00Z) must be in the future; it is now 2026-03-01T12:00:00Z");
  }

  @Test
  void save_matchersThatAllMatchTheEmptyString_areRejected() {
    Silences silences = open();
    assertThatThrownBy(() -> silences.save(draft(null, null, t(60), "zone=\"\"", "node=~\".*\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("at least one matcher must not match the empty string; "
            + "otherwise the silence covers every alert that lacks these labels");
    assertThatThrownBy(() -> silences.save(draft(null, null, t(60))))
        .hasMessage("a silence needs at least one matcher");
  }

  @Test
  void save_withAnId_replacesThatSilenceAndKeepsWhatTheDraftLeavesOut() throws IOException {
    Silences silences = open();
    silences.save(draft(null, t(-5), t(60), "node=\"n1\""));
    clock.set(t(1));

    Silence updated = silences.save(new Silences.Draft("s1", List.of(Matcher.parse("node=~\"n[12]\"")), null, t(90),
        null, "longer")).orElseThrow();

    assertThat(updated).isEqualTo(new Silence("s1", List.of(Matcher.parse("node=~\"n[12]\"")), t(-5), t(90),
        "ops@example.com", "longer", t(1)));
    assertThat(silences.list()).containsExactly(updated);
    assertThat(silences.silencing(N2, ms(1))).contains("s1");
  }

  @Test
  void save_unknownId_changesNothing() throws IOException {
    Silences silences = open();
    assertThat(silences.save(draft("nope", null, t(60), "node=\"n1\""))).isEmpty();
    assertThat(silences.list()).isEmpty();
    assertThat(dataDir.resolve("silences.json")).doesNotExist();
  }

  @Test
  void expire_active_endsItNow() throws IOException {
    Silences silences = open();
    silences.save(draft(null, null, t(60), "node=\"n1\""));
    clock.set(t(5));

    Silence expired = silences.expire("s1").orElseThrow();

    assertThat(expired.startsAt()).isEqualTo(T0);
    assertThat(expired.endsAt()).isEqualTo(t(5));
    assertThat(expired.updatedAt()).isEqualTo(t(5));
    assertThat(expired.state(ms(5))).isEqualTo(Silence.State.EXPIRED);
    assertThat(silences.silencing(N1, ms(5))).isEmpty();
    assertThat(silences.silencing(N1, ms(4))).contains("s1"); // events of the past stay as they were
  }

  @Test
  void expire_pending_startsAndEndsNow_soItNeverCovers() throws IOException {
    Silences silences = open();
    silences.save(draft(null, t(30), t(60), "node=\"n1\""));

    Silence expired = silences.expire("s1").orElseThrow();

    assertThat(expired.startsAt()).isEqualTo(T0);
    assertThat(expired.endsAt()).isEqualTo(T0);
    assertThat(silences.silencing(N1, ms(40))).isEmpty();
    assertThat(silences.expire("s1")).contains(expired);
    assertThat(silences.expire("nope")).isEmpty();
  }

  @Test
  void list_ordersActivePendingExpired_andDropsExpiredOnes24hAfterTheyEnded() throws IOException {
    Silences silences = open();
    silences.save(draft(null, null, t(5), "node=\"expired-first\""));
    silences.save(draft(null, null, t(6), "node=\"expired-last\""));
    silences.save(draft(null, t(30), t(200), "node=\"pending-late\""));
    silences.save(draft(null, t(20), t(300), "node=\"pending-soon\""));
    silences.save(draft(null, null, t(100), "node=\"active-long\""));
    silences.save(draft(null, null, t(50), "node=\"active-short\""));
    clock.set(t(10));

    assertThat(silences.list()).extracting(Silence::id).containsExactly("s6", "s5", "s4", "s3", "s2", "s1");

    clock.set(t(5).plus(Silences.RETENTION).minusMillis(1));
    assertThat(silences.list()).extracting(Silence::id).contains("s1");
    clock.set(t(5).plus(Silences.RETENTION));
    assertThat(silences.list()).extracting(Silence::id).containsExactly("s4", "s3", "s5", "s6", "s2");
    assertThat(open().list()).extracting(Silence::id).doesNotContain("s1"); // dropped from the file too
  }

  @Test
  void restart_keepsEverySilenceAsItWas() throws IOException {
    Silences before = open();
    before.save(draft(null, null, t(60), "monitor=\"Shard is down\"", "node=~\"n[12]\""));
    before.save(draft(null, t(30), t(60), "zone=~\"us-.*\"", "node!=\"n1\""));

    Silences after = open();

    assertThat(after.list()).isEqualTo(before.list());
    assertThat(after.silencing(N2, ms(0))).contains("s1");
    assertThat(after.silencing(Map.of("node", "n3", "zone", "us-east"), ms(30))).contains("s2");
  }

  @Test
  void file_isReadableJsonInTheApiShape() throws IOException {
    open().save(draft(null, null, t(60), "monitor=\"Shard is down\"", "node!~\"n[12]\""));

    assertThat(Files.readString(dataDir.resolve("silences.json"))).isEqualToNormalizingNewlines("""
        {
          "version" : 1,
          "silences" : [ {
            "id" : "s1",
            "matchers" : [ {
              "name" : "monitor",
              "value" : "Shard is down",
              "isRegex" : false,
              "isEqual" : true
            }, {
              "name" : "node",
              "value" : "n[12]",
              "isRegex" : true,
              "isEqual" : false
            } ],
            "startsAt" : "2026-03-01T12:00:00Z",
            "endsAt" : "2026-03-01T13:00:00Z",
            "createdBy" : "ops@example.com",
            "comment" : "maintenance",
            "updatedAt" : "2026-03-01T12:00:00Z"
          } ]
        }""");
  }

  @Test
  void corruptFile_isMovedAside_andTocsinStartsWithNoSilences() throws IOException {
    Files.writeString(dataDir.resolve("silences.json"), "{\"version\": 1, \"silences\": [");
    try (LogCapture log = LogCapture.of(Silences.class)) {
      Silences silences = open();

      assertThat(silences.list()).isEmpty();
      assertThat(log.messages()).containsExactly("ERROR cannot read silences from " + dataDir.resolve("silences.json") + " (Unexpected end-of-input: expected close marker for Array (start marker at line 1, column 28) at line 1, column 29); moved it to " + dataDir.resolve("silences.json.20260301T120000Z.bad") + " and starting with no silences");
    }
    assertThat(dataDir.resolve("silences.json")).doesNotExist();
    assertThat(dataDir.resolve("silences.json.20260301T120000Z.bad")).hasContent("{\"version\": 1, \"silences\": [");

    Silences silences = open();
    silences.save(draft(null, null, t(60), "node=\"n1\""));
    assertThat(open().silencing(N1, ms(0))).contains("s1");
  }

  @Test
  void fileWithAnotherVersionOrABadRegex_isSetAsideToo() throws IOException {
    Path file = dataDir.resolve("silences.json");
    Files.writeString(file, "{\"version\": 7, \"silences\": []}");
    try (LogCapture log = LogCapture.of(Silences.class)) {
      assertThat(open().list()).isEmpty();
      assertThat(log.messages()).containsExactly("ERROR cannot read silences from " + file
          + " (format version 7, expected 1); moved it to " + file + ".20260301T120000Z.bad and starting with no silences");
    }

    Files.writeString(file, """
        {"version": 1, "silences": [{"id": "x", "matchers": [{"name": "node", "value": "n[1", "isRegex": true,
          "isEqual": true}], "startsAt": "2026-03-01T12:00:00Z", "endsAt": "2026-03-01T13:00:00Z", "createdBy": "",
          "comment": "", "updatedAt": "2026-03-01T12:00:00Z"}]}""");
    try (LogCapture log = LogCapture.of(Silences.class)) {
      assertThat(open().list()).isEmpty();
      assertThat(log.messages()).containsExactly("ERROR cannot read silences from " + file
          + " (invalid regular expression \"n[1\" for label \"node\": missing closing ] at character 2); moved it to "
          + file + ".20260301T120000Z.2.bad and starting with no silences");
    }
  }

  @Test
  void save_whenTheFileCannotBeWritten_failsAndChangesNothing() throws IOException {
    Path notADirectory = Files.writeString(dataDir.resolve("plain-file"), "");
    Silences silences = new Silences(notADirectory, clock);

    assertThatThrownBy(() -> silences.save(draft(null, null, t(60), "node=\"n1\""))).isInstanceOf(IOException.class);
    assertThat(silences.list()).isEmpty();
    assertThat(silences.silencing(N1, ms(0))).isEmpty();
  }

  @Test
  void onChange_getsEachLocalChangeAsSaved_butNotWhatWasMerged() throws IOException {
    Silences silences = open();
    List<Silence> changes = new ArrayList<>();
    silences.onChange(changes::add);

    Silence created = silences.save(draft(null, null, t(60), "node=\"n1\"")).orElseThrow();
    clock.set(t(1));
    Silence updated = silences.save(draft("s1", null, t(90), "node=\"n1\"")).orElseThrow();
    Silence expired = silences.expire("s1").orElseThrow();
    silences.expire("s1"); // already expired: no change
    silences.merge(new Silence("peer-1", List.of(Matcher.parse("node=\"n2\"")), T0, t(60), "", "", T0), "peer m2");

    assertThat(changes).containsExactly(created, updated, expired);
    assertThat(silences.silencing(N2, ms(1))).contains("peer-1");
  }

  @Test
  void onChange_listenerThatFails_isLogged_andTheChangeStays() throws IOException {
    Silences silences = open();
    silences.onChange(s -> {
      throw new IllegalStateException("cluster is closed");
    });

    try (LogCapture log = LogCapture.of(Silences.class)) {
      assertThat(silences.save(draft(null, null, t(60), "node=\"n1\""))).isPresent();

      assertThat(log.messages()).last()
          .isEqualTo("ERROR silence s1 saved, but a listener failed: java.lang.IllegalStateException: cluster is closed");
    }
    assertThat(open().silencing(N1, ms(0))).contains("s1");
  }

  @Test
  void merge_whenTheFileCannotBeWritten_appliesTheSilenceAnyway() throws IOException {
    Path notADirectory = Files.writeString(dataDir.resolve("plain-file"), "");
    Silences silences = new Silences(notADirectory, clock);

    try (LogCapture log = LogCapture.of(Silences.class)) {
      assertThat(silences.merge(new Silence("peer-1", List.of(Matcher.parse("node=\"n1\"")), T0, t(60), "", "",
          T0), "peer m2")).isTrue();

      assertThat(log.messages()).last().asString().startsWith("ERROR cannot write " + notADirectory.resolve(
          "silences.json") + " after a silence from peer m2: ");
    }
    assertThat(silences.silencing(N1, ms(0))).contains("peer-1");
  }

  @Test
  void concurrentSavesAndLookups_loseNothing() throws Exception {
    Silences silences = open();
    int threads = 4;
    int each = 25;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int w = 0; w < threads; w++) {
      int worker = w;
      workers.add(new Thread(() -> {
        try {
          for (int i = 0; i < each; i++) {
            silences.save(draft(null, null, t(60), "node=\"w" + worker + "-" + i + "\""));
            Optional<String> covering = silences.silencing(Map.of("node", "w" + worker + "-" + i), ms(0));
            assertThat(covering).isPresent();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    workers.forEach(Thread::start);
    for (Thread t : workers) {
      t.join(60_000);
    }

    assertThat(failures).isEmpty();
    assertThat(silences.list()).hasSize(threads * each);
    assertThat(open().list()).hasSize(threads * each);
  }
}
