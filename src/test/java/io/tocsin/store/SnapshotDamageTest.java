package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.START;
import static io.tocsin.store.SnapshotFixtures.STEP;
import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.append;
import static io.tocsin.store.SnapshotFixtures.internals;
import static io.tocsin.store.SnapshotFixtures.reads;
import static io.tocsin.store.SnapshotFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.testing.LogCapture;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A snapshot that cannot be trusted is set aside and the previous one loaded, never half of it. */
class SnapshotDamageTest {
  final MutableClock clock = new MutableClock(T0);
  final StoreSettings settings = new StoreSettings(Duration.ofHours(1), 100_000, 100_000);
  @TempDir
  Path dataDir;

  Snapshots snapshots() {
    return new Snapshots(dataDir, new StateCodec(), clock);
  }

  /**
   * The fixture's series plus 1,200 gauges of long-fraction values, so that the series file has
   * several blocks and damage near its end is found after earlier blocks were loaded.
   */
  SeriesStore filled() {
    SeriesStore store = new SeriesStore(clock, settings);
    append(store, 0, 240);
    SplittableRandom random = new SplittableRandom(1);
    for (int s = 0; s < 1_200; s++) {
      Labels labels = Labels.of("instance", "i-" + s);
      for (int step = 0; step < 240; step++) {
        long t = START + step * STEP;
        double value = random.nextDouble();
        write(store, "bulk", MetricKind.GAUGE, labels, series -> series.append(t, value));
      }
    }
    clock.setMillis(START + 240 * STEP);
    return store;
  }

  enum Damage {
    FLIPPED_BYTE_IN_LAST_BLOCK {
      @Override
      void apply(Path dir) throws IOException {
        Path file = dir.resolve("series");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
          f.seek(f.length() - 1_000);
          int b = f.read();
          f.seek(f.length() - 1_000);
          f.write(b ^ 0x10);
        }
      }
    },
    FLIPPED_BYTE_IN_META {
      @Override
      void apply(Path dir) throws IOException {
        byte[] meta = Files.readAllBytes(dir.resolve("meta"));
        meta[20] ^= 1;
        Files.write(dir.resolve("meta"), meta);
      }
    },
    TRUNCATED_SERIES_FILE {
      @Override
      void apply(Path dir) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("series").toFile(), "rw")) {
          f.setLength(f.length() / 2);
        }
      }
    },
    MISSING_META {
      @Override
      void apply(Path dir) throws IOException {
        Files.delete(dir.resolve("meta"));
      }
    },
    MISSING_SERIES_FILE {
      @Override
      void apply(Path dir) throws IOException {
        Files.delete(dir.resolve("series"));
      }
    },
    /** A crash between writing the files and the final rename. */
    NOT_RENAMED {
      @Override
      Path apply(Path dir, boolean unused) throws IOException {
        return Files.move(dir, dir.resolveSibling(dir.getFileName() + ".tmp"));
      }
    };

    void apply(Path dir) throws IOException {}

    /** Damages the snapshot in {@code dir} and returns where it is now. */
    Path apply(Path dir, boolean unused) throws IOException {
      apply(dir);
      return dir;
    }
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void loadNewest_setsADamagedSnapshotAsideAndLoadsThePreviousOne(Damage damage) throws IOException {
    SeriesStore store = filled();
    Snapshots snapshots = snapshots();
    snapshots.write(store, 1);
    List<String> first = internals(store, store.retentionCutoffMs());
    List<String> firstReads = reads(store, START, clock.millis(), 60_000);
    append(store, 240, 260);
    Path newest = damage.apply(snapshots.write(store, 2).dir(), true);

    SeriesStore restored = new SeriesStore(clock, settings);
    Optional<Snapshots.Loaded> loaded;
    List<String> log;
    try (LogCapture capture = LogCapture.of(Snapshots.class)) {
      loaded = snapshots().loadNewest(restored);
      log = capture.messages();
    }

    assertThat(loaded).get().extracting(Snapshots.Loaded::walSegment).isEqualTo(1L);
    assertThat(internals(restored, Long.MIN_VALUE)).isEqualTo(first);
    assertThat(reads(restored, START, clock.millis(), 60_000)).isEqualTo(firstReads);
    assertThat(newest).doesNotExist();
    Path bad;
    try (Stream<Path> entries = Files.list(dataDir)) {
      bad = entries.filter(p -> p.getFileName().toString().startsWith(newest.getFileName() + ".")
          && p.getFileName().toString().endsWith(".bad")).findFirst().orElseThrow();
    }
    assertThat(log).filteredOn(line -> line.startsWith("WARN")).singleElement().asString()
        .startsWith("WARN snapshot " + newest + " ")
        .endsWith("; moved it to " + bad + " and going on with the previous snapshot, if any");
  }

  @Test
  void loadNewest_reportsWhyASnapshotWasSetAside() throws IOException {
    SeriesStore store = filled();
    Path dir = snapshots().write(store, 1).dir();
    Damage.FLIPPED_BYTE_IN_LAST_BLOCK.apply(dir);

    List<String> log;
    try (LogCapture capture = LogCapture.of(Snapshots.class)) {
      assertThat(snapshots().loadNewest(new SeriesStore(clock, settings))).isEmpty();
      log = capture.messages();
    }

    assertThat(log).filteredOn(line -> line.startsWith("WARN")).singleElement().asString()
        .matches("WARN snapshot \\Q" + dir + "\\E cannot be loaded: block \\d+ at byte \\d+ fails its checksum; .*");
  }

  @Test
  void loadNewest_withEverySnapshotDamagedStartsEmptyAndKeepsTwoSetAside() throws IOException {
    SeriesStore store = filled();
    for (int round = 0; round < 2; round++) {
      Damage.FLIPPED_BYTE_IN_META.apply(snapshots().write(store, 1).dir());
      Damage.MISSING_SERIES_FILE.apply(snapshots().write(store, 2).dir());
      SeriesStore restored = new SeriesStore(clock, settings);

      assertThat(snapshots().loadNewest(restored)).isEmpty();

      assertThat(restored.seriesCount()).isZero();
      assertThat(restored.isPristine()).isTrue();
      try (Stream<Path> entries = Files.list(dataDir)) {
        assertThat(entries.map(p -> p.getFileName().toString())).hasSize(2).allMatch(n -> n.endsWith(".bad"));
      }
      clock.advance(Duration.ofSeconds(1));
    }
  }

  @Test
  void loadNewest_afterAFailedBlockKeepsNothingOfTheDamagedSnapshot() throws IOException {
    SeriesStore store = filled();
    Path dir = snapshots().write(store, 1).dir();
    assertThat(Files.size(dir.resolve("series"))).as("several blocks").isGreaterThan(2L << 20);
    Damage.FLIPPED_BYTE_IN_LAST_BLOCK.apply(dir);
    SeriesStore restored = new SeriesStore(clock, settings);

    assertThat(snapshots().loadNewest(restored)).isEmpty();

    assertThat(restored.seriesCount()).isZero();
    assertThat(restored.metricNames()).isEmpty();
    write(restored, "up", MetricKind.GAUGE, Labels.EMPTY, s -> assertThat(s.id()).isEqualTo(1));
  }
}
