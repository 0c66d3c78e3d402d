package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.START;
import static io.tocsin.store.SnapshotFixtures.STEP;
import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.append;
import static io.tocsin.store.SnapshotFixtures.reads;
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
 * after appending steps 300-399 with the clock at step 400.
 */
class SnapshotCompatibilityTest {
  private static final String FIXTURE = "/io/tocsin/store/snapshot-v1/";
  private static final String SNAPSHOT = "snapshot-1767230100000";

  final MutableClock clock = new MutableClock(T0);
  @TempDir
  Path dataDir;

  @Test
  void loadNewest_ofASnapshotFromBeforeJoinedChunks_readsAndAppendsAsTheWriterDid() throws IOException {
    Files.createDirectories(dataDir.resolve(SNAPSHOT));
    for (String file : List.of("meta", "series")) {
      try (InputStream in = resource("data/" + SNAPSHOT + "/" + file)) {
        Files.copy(in, dataDir.resolve(SNAPSHOT).resolve(file));
      }
    }
    clock.setMillis(START + 300 * STEP);
    SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 1000, 1000));

    Optional<Snapshots.Loaded> loaded = new Snapshots(dataDir, new StateCodec(), clock).loadNewest(store);

    assertThat(loaded).isPresent();
    assertThat(loaded.get().walSegment()).isEqualTo(5);
    assertThat(store.seriesCount()).isEqualTo(15);
    assertThat(reads(store, START, clock.millis() + 3_600_000, 60_000)).isEqualTo(lines("reads-loaded.txt.gz"));
    append(store, 300, 400);
    clock.setMillis(START + 400 * STEP);
    assertThat(reads(store, START, clock.millis() + 3_600_000, 60_000)).isEqualTo(lines("reads-appended.txt.gz"));
  }

  private static InputStream resource(String name) {
    InputStream in = SnapshotCompatibilityTest.class.getResourceAsStream(FIXTURE + name);
    assertThat(in).as(name).isNotNull();
    return in;
  }

  private static List<String> lines(String name) throws IOException {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(new GZIPInputStream(resource(name)), StandardCharsets.UTF_8))) {
      return reader.lines().toList();
    }
  }
}
