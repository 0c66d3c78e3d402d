package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.START;
import static io.tocsin.store.SnapshotFixtures.STEP;
import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.SnapshotFixtures.CounterState;
import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.util.MutableClock;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest goes on while a snapshot is written, and each series in it is consistent in itself. */
class SnapshotConcurrencyTest {
  static final int SERIES = 200;

  final MutableClock clock = new MutableClock(T0);
  final StoreSettings settings = new StoreSettings(Duration.ofHours(1), 100_000, 100_000);
  final SeriesStore store = new SeriesStore(clock, settings);
  @TempDir
  Path dataDir;

  static Labels labels(int s) {
    return Labels.of("instance", "i-" + s);
  }

  /** A counter increase and the writer state that goes with it, under the series' lock. */
  static void count(SeriesStore store, int s, int step) {
    write(store, "hits", MetricKind.COUNTER, labels(s), series -> {
      series.append(START + step * STEP, 1);
      series.writerState(new CounterState(step, START));
    });
  }

  SeriesStore load(Snapshots snapshots) throws IOException {
    SeriesStore restored = new SeriesStore(clock, settings);
    assertThat(snapshots.loadNewest(restored)).isPresent();
    return restored;
  }

  @Test
  void write_holdsOneSeriesLockAtATimeSoOtherSeriesTakeWritesMeanwhile() throws Exception {
    for (int step = 0; step < 10; step++) {
      for (int s = 0; s < SERIES; s++) {
        count(store, s, step);
      }
    }
    clock.setMillis(START + 10 * STEP);
    Map<Object, Labels> statesToLabels = new IdentityHashMap<>();
    store.forEachSeries(series -> statesToLabels.put(series.writerState(), series.labels()));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Object> held = new AtomicReference<>();
    AtomicBoolean waitedTooLong = new AtomicBoolean();
    StateCodec pausing = new StateCodec() {
      @Override
      public void write(Object state, DataOutput out) throws IOException {
        // Runs under the lock of the series being copied: the first one waits for the test.
        if (held.compareAndSet(null, state)) {
          inside.countDown();
          try {
            waitedTooLong.set(!release.await(60, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
        }
        super.write(state, out);
      }
    };
    Snapshots snapshots = new Snapshots(dataDir, pausing, clock);
    CompletableFuture<Snapshots.Written> writing = CompletableFuture.supplyAsync(() -> {
      try {
        return snapshots.write(store, 5);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(inside.await(60, TimeUnit.SECONDS)).isTrue();

    Labels heldLabels = statesToLabels.get(held.get());
    for (int s = 0; s < SERIES; s++) {
      if (!labels(s).equals(heldLabels)) {
        count(store, s, 10); // would wait for the release, and fail below, if the snapshot locked more
      }
    }
    release.countDown();
    Snapshots.Written written = writing.get(60, TimeUnit.SECONDS);
    assertThat(waitedTooLong).as("writes to other series waited for the snapshot").isFalse();
    assertThat(written.series()).isEqualTo(SERIES);

    SeriesStore restored = load(snapshots);
    for (SeriesSamples samples : restored.read("hits", l -> true, START, clock.millis() + STEP)) {
      assertThat(samples.size()).as(samples.labels().toString()).isEqualTo(samples.labels().equals(heldLabels) ? 10 : 11);
    }
    restored.forEachSeries(series -> assertThat(series.writerState())
        .isEqualTo(new CounterState(series.labels().equals(heldLabels) ? 9 : 10, START)));
  }

  @Test
  void write_duringContinuousIngestKeepsEachSeriesConsistentInItself() throws Exception {
    int series = 2_000;
    for (int s = 0; s < series; s++) {
      count(store, s, 0);
    }
    AtomicBoolean done = new AtomicBoolean();
    CompletableFuture<Integer> ingest = CompletableFuture.supplyAsync(() -> {
      int step = 1;
      for (; !done.get(); step++) {
        for (int s = 0; s < series; s++) {
          count(store, s, step);
        }
      }
      return step;
    });
    Snapshots snapshots = new Snapshots(dataDir, new StateCodec(), clock);
    snapshots.write(store, 1);
    done.set(true);
    int steps = ingest.get(60, TimeUnit.SECONDS);

    SeriesStore restored = load(snapshots);
    assertThat(restored.seriesCount()).isEqualTo(series);
    List<SeriesSamples> live = store.read("hits", l -> true, START, START + steps * STEP);
    List<SeriesSamples> saved = restored.read("hits", l -> true, START, START + steps * STEP);
    Map<Labels, Integer> savedCounts = new HashMap<>();
    for (int i = 0; i < series; i++) {
      int n = saved.get(i).size();
      assertThat(saved.get(i).timesMs()).as("a prefix of what was written")
          .containsExactly(Arrays.copyOf(live.get(i).timesMs(), n));
      savedCounts.put(saved.get(i).labels(), n);
    }
    restored.forEachSeries(s -> assertThat(s.writerState()).as("the writer state that went with the last sample")
        .isEqualTo(new CounterState(savedCounts.get(s.labels()) - 1, START)));
  }
}
