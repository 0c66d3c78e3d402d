package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.START;
import static io.tocsin.store.SnapshotFixtures.STEP;
import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.append;
import static io.tocsin.store.SnapshotFixtures.internals;
import static io.tocsin.store.SnapshotFixtures.reads;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packed chunks ({@link Chunk#pack}), sealed and head, go through a snapshot word for word and append on after it. */
class PackedSnapshotTest {
  final MutableClock clock = new MutableClock(T0);
  final StoreSettings settings = new StoreSettings(Duration.ofHours(1), 1_000, 1_000);
  @TempDir
  Path dataDir;

  @Test
  void snapshot_keepsPackedChunks_andTheRestoredHeadAppendsAsTheOriginal() throws IOException {
    SeriesStore original = new SeriesStore(clock, settings);
    append(original, 0, 200);
    clock.setMillis(START + 200 * STEP);
    assertThat(packedChunks(original, true)).as("sealed").isPositive();
    assertThat(packedChunks(original, false)).as("heads").isPositive();
    Snapshots snapshots = new Snapshots(dataDir, new StateCodec(), clock);
    snapshots.write(original, 1);
    SeriesStore restored = new SeriesStore(clock, settings);
    assertThat(snapshots.loadNewest(restored)).isPresent();

    assertThat(internals(restored, Long.MIN_VALUE)).isEqualTo(internals(original, original.retentionCutoffMs()));
    append(original, 200, 300);
    append(restored, 200, 300);
    clock.setMillis(START + 300 * STEP);
    long cutoff = original.retentionCutoffMs();
    assertThat(internals(restored, cutoff)).isEqualTo(internals(original, cutoff));
    assertThat(reads(restored, START, clock.millis(), 60_000)).isEqualTo(reads(original, START, clock.millis(), 60_000));
  }

  /** How many of the store's sealed chunks, or head chunks, are packed. */
  private static int packedChunks(SeriesStore store, boolean sealed) {
    int[] packed = {0};
    store.forEachSeries(s -> {
      Series.SeriesImage image;
      try {
        image = s.image(Long.MIN_VALUE, state -> new byte[0]);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      if (sealed) {
        long[] chunks = image.sealed();
        for (int at = 0; at < chunks.length; at += SealedChunks.length(chunks, at)) {
          packed[0] += Chunk.packed(chunks, at) ? 1 : 0;
        }
      } else if (image.head() != null && Chunk.packed(image.head().words(), 0)) {
        packed[0]++;
      }
    });
    return packed[0];
  }
}
