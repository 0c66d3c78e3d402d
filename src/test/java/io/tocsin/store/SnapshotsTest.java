package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.START;
import static io.tocsin.store.SnapshotFixtures.STEP;
import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.append;
import static io.tocsin.store.SnapshotFixtures.internals;
import static io.tocsin.store.SnapshotFixtures.reads;
import static io.tocsin.store.SnapshotFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.store.SnapshotFixtures.CounterState;
import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.util.MutableClock;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotsTest {
  final MutableClock clock = new MutableClock(T0);
  final StoreSettings settings = new StoreSettings(Duration.ofHours(1), 100_000, 100_000);
  @TempDir
  Path dataDir;
  Snapshots snapshots;

  Snapshots snapshots() {
    if (snapshots == null) {
      snapshots = new Snapshots(dataDir, new StateCodec(), clock);
    }
    return snapshots;
  }

  SeriesStore newStore() {
    return new SeriesStore(clock, settings);
  }

  /**
   * {@code steps} of every kind of series ({@link SnapshotFixtures#append}), and a counter stream
   * with a writer state but no sample yet; the clock moves to the end, so that with 480 steps
   * the first hour is past the retention.
   */
  SeriesStore filled(int steps) {
    SeriesStore store = newStore();
    append(store, 0, steps);
    store.write("hits", MetricKind.COUNTER, Labels.of("node", "fresh"), s -> s.writerState(new CounterState(42, START)));
    clock.setMillis(START + steps * STEP);
    return store;
  }

  SeriesStore loaded(long expectedSegment) throws IOException {
    SeriesStore store = newStore();
    Optional<Snapshots.Loaded> loaded = snapshots().loadNewest(store);
    assertThat(loaded).isPresent();
    assertThat(loaded.get().walSegment()).isEqualTo(expectedSegment);
    return store;
  }

  List<String> allReads(SeriesStore store) {
    return reads(store, START, clock.millis() + 3_600_000, 60_000);
  }

  @Test
  void loadNewest_restoresEverySeriesWithItsIdChunksAndWriterState() throws IOException {
    SeriesStore original = filled(480);

    Snapshots.Written written = snapshots().write(original, 7);
    SeriesStore restored = loaded(7);

    assertThat(written.series()).isEqualTo(original.seriesCount()).isEqualTo(restored.seriesCount()).isEqualTo(16);
    assertThat(written.dir()).isEqualTo(dataDir.resolve("snapshot-" + clock.millis()));
    assertThat(written.oldestKeptWalSegment()).as("the only snapshot").isEqualTo(7);
    assertThat(internals(restored, Long.MIN_VALUE)).isEqualTo(internals(original, original.retentionCutoffMs()))
        .anySatisfy(line -> assertThat(line).contains("state=CounterState[lastCumulative=1676.5"))
        .anySatisfy(line -> assertThat(line).startsWith("hits{node=\"fresh\"} id=16 COUNTER state=CounterState["
            + "lastCumulative=42.0, startMs=" + START + "] last=" + Long.MIN_VALUE + " sealed=[] head=none"));
    assertThat(allReads(restored)).isEqualTo(allReads(original)).hasSize(30);
  }

  @Test
  void write_leavesOutChunksOlderThanTheRetention() throws IOException {
    SeriesStore original = filled(480);

    Snapshots.Written written = snapshots().write(original, 1);
    SeriesStore restored = loaded(1);

    assertThat(internals(original, Long.MIN_VALUE)).isNotEqualTo(internals(original, original.retentionCutoffMs()));
    assertThat(internals(restored, Long.MIN_VALUE)).isEqualTo(internals(restored, restored.retentionCutoffMs()));
    // 15 series of 480 samples, of which 240 are in the window; chunks of 60 samples (15 min) are
    // dropped whole, so at most one chunk per series older than the window remains.
    assertThat(written.samples()).isBetween(15 * 240L, 15 * 300L);
  }

  @Test
  void loadNewest_appendingAfterwardsContinuesExactlyLikeTheOriginal() throws IOException {
    SeriesStore original = filled(480);
    snapshots().write(original, 3);
    SeriesStore restored = loaded(3);

    append(original, 480, 700);
    append(restored, 480, 700);
    clock.setMillis(START + 700 * STEP);
    Labels fresh = Labels.of("node", "new");
    write(original, "mem", MetricKind.GAUGE, fresh, s -> s.append(clock.millis(), 1));
    write(restored, "mem", MetricKind.GAUGE, fresh, s -> s.append(clock.millis(), 1));

    assertThat(internals(restored, original.retentionCutoffMs()))
        .isEqualTo(internals(original, original.retentionCutoffMs()))
        .anySatisfy(line -> assertThat(line).startsWith("mem{node=\"new\"} id=17 "));
    assertThat(allReads(restored)).isEqualTo(allReads(original));
    assertThat(original.evictExpired()).isEqualTo(restored.evictExpired()).isEqualTo(1); // the fresh counter
  }

  @Test
  void write_keepsTheNewestTwoSnapshots() throws IOException {
    SeriesStore store = filled(40);
    Snapshots.Written last = null;
    for (int i = 0; i < 4; i++) {
      last = snapshots().write(store, 10 + i);
    }

    try (Stream<Path> entries = Files.list(dataDir)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("snapshot-" + (clock.millis() + 2), "snapshot-" + (clock.millis() + 3));
    }
    assertThat(last.dir().getFileName().toString()).isEqualTo("snapshot-" + (clock.millis() + 3));
    assertThat(last.walSegment()).isEqualTo(13);
    assertThat(last.oldestKeptWalSegment()).as("the previous snapshot's, for a fallback to it").isEqualTo(12);
    loaded(13);
  }

  @Test
  void loadNewest_withoutSnapshotsLeavesTheStoreEmpty() throws IOException {
    SeriesStore store = newStore();

    assertThat(snapshots().loadNewest(store)).isEmpty();
    assertThat(new Snapshots(dataDir.resolve("absent"), new StateCodec(), clock).loadNewest(store)).isEmpty();
    assertThat(store.seriesCount()).isZero();
  }

  @Test
  void loadNewest_intoAStoreInUseIsRefused() {
    SeriesStore store = filled(4);

    assertThatThrownBy(() -> snapshots().loadNewest(store)).isInstanceOf(IllegalStateException.class)
        .hasMessage("a snapshot loads only into a new store");
  }

  @Test
  void write_thatFailsLeavesNothingBehindAndThePreviousSnapshotUsable() throws IOException {
    SeriesStore store = filled(40);
    snapshots().write(store, 1);
    WriterStateCodec failing = new StateCodec() {
      @Override
      public void write(Object state, DataOutput out) throws IOException {
        throw new IOException("No space left on device");
      }
    };

    assertThatThrownBy(() -> new Snapshots(dataDir, failing, clock).write(store, 2))
        .hasMessage("No space left on device");

    try (Stream<Path> entries = Files.list(dataDir)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("snapshot-" + clock.millis());
    }
    assertThat(internals(loaded(1), 0)).isEqualTo(internals(store, 0));
  }
}
