package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.START;
import static io.tocsin.store.SnapshotFixtures.STEP;
import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.append;
import static io.tocsin.store.SnapshotFixtures.reads;
import static io.tocsin.store.SnapshotFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.util.MutableClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots written by an earlier Tocsin still load, and read and append as they did there. The
 * files under {@code resources/io/tocsin/store/snapshot-v1} were made by main at 869ef3e (before
 * the store joined a series' chunks into one array and shortened the chunk header): {@link
 * SnapshotFixtures#append} steps 0-299 with the clock at step 300 and the retention one hour,
 * written as the snapshot of log segment 5; {@code reads-loaded.txt.gz} is what {@link
 * SnapshotFixtures#reads} answered on that store, {@code reads-appended.txt.gz} what it answered
 * after appending steps 300-399 with the clock at step 400. Those under {@code snapshot-v2} were
 * made alike by main at 66ce318 (format 2, the last with three-word chunk headers and every
 * timestamp coded), with {@link #jitter} steps beside each {@code append}.
 */
class SnapshotCompatibilityTest {
  private static final String SNAPSHOT = "snapshot-1767230100000";

  final MutableClock clock = new MutableClock(T0);
  @TempDir
  Path dataDir;

  @Test
  void loadNewest_ofASnapshotFromBeforeJoinedChunks_readsAndAppendsAsTheWriterDid() throws IOException {
    SeriesStore store = load("/io/tocsin/store/snapshot-v1/", 15);

    append(store, 300, 400);
    clock.setMillis(START + 400 * STEP);
    assertThat(reads(store, START, clock.millis() + 3_600_000, 60_000))
        .isEqualTo(lines("/io/tocsin/store/snapshot-v1/", "reads-appended.txt.gz"));
  }

  @Test
  void loadNewest_ofASnapshotWithThreeWordChunkHeaders_readsAndAppendsAsTheWriterDid() throws IOException {
    SeriesStore store = load("/io/tocsin/store/snapshot-v2/", 16);

    append(store, 300, 400);
    jitter(store, 300, 400);
    clock.setMillis(START + 400 * STEP);
    assertThat(reads(store, START, clock.millis() + 3_600_000, 60_000))
        .isEqualTo(lines("/io/tocsin/store/snapshot-v2/", "reads-appended.txt.gz"));
  }

  /** Loads the fixture's snapshot with the clock at step 300 and checks what it reads. */
  private SeriesStore load(String fixture, int series) throws IOException {
    Files.createDirectories(dataDir.resolve(SNAPSHOT));
    for (String file : List.of("meta", "series")) {
      try (InputStream in = resource(fixture + "data/" + SNAPSHOT + "/" + file)) {
        Files.copy(in, dataDir.resolve(SNAPSHOT).resolve(file));
      }
    }
    clock.setMillis(START + 300 * STEP);
    SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 1000, 1000));

    Optional<Snapshots.Loaded> loaded = new Snapshots(dataDir, new StateCodec(), clock).loadNewest(store);

    assertThat(loaded).isPresent();
    assertThat(loaded.get().walSegment()).isEqualTo(5);
    assertThat(store.seriesCount()).isEqualTo(series);
    assertThat(reads(store, START, clock.millis() + 3_600_000, 60_000))
        .isEqualTo(lines(fixture, "reads-loaded.txt.gz"));
    return store;
  }

  /**
   * Steps {@code from <= step < to} of a gauge whose samples leave the 15 s interval now and
   * then (1.2 s late every 37th, 0.5 s later for good from step 150), with four missing every 50.
   */
  static void jitter(SeriesStore store, int from, int to) {
    for (int step = from; step < to; step++) {
      int i = step;
      long t = START + step * STEP + (i % 37 == 3 ? 1_234 : 0) + (i >= 150 ? 500 : 0);
      if (i % 50 >= 20 && i % 50 < 24) {
        continue;
      }
      write(store, "jitter", MetricKind.GAUGE, Labels.of("node", "n1"), s -> s.append(t, (i % 11) * 0.5));
    }
  }

  private static InputStream resource(String name) {
    InputStream in = SnapshotCompatibilityTest.class.getResourceAsStream(name);
    assertThat(in).as(name).isNotNull();
    return in;
  }

  private static List<String> lines(String fixture, String name) throws IOException {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(new GZIPInputStream(resource(fixture + name)), StandardCharsets.UTF_8))) {
      return reader.lines().toList();
    }
  }
}
