package io.tocsin.bench;

import io.tocsin.store.SeriesStore;
import io.tocsin.store.Snapshots;
import io.tocsin.store.StoreSettings;
import io.tocsin.store.WriterStateCodec;
import io.tocsin.testing.ScratchDir;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Snapshot figures for the design's restart target (section 8): the time to write and to load a
 * snapshot of N series holding one hour of 15 s samples ({@link IngestBenchmark#filledStore}),
 * and its bytes per series. Prints, never asserts. The load reads files the write just left in
 * the page cache, as a restart (not a reboot) does.
 *
 * <p>Run with {@code bench/run snapshot [series...]}.
 */
public final class SnapshotBenchmark {
  /** Writer states are ingest's business; these series have none, like gauges and delta counters. */
  private static final WriterStateCodec NO_STATES = new WriterStateCodec() {
    @Override
    public void write(Object state, DataOutput out) {
      throw new IllegalStateException("no writer states here");
    }

    @Override
    public Object read(DataInput in) {
      throw new IllegalStateException("no writer states here");
    }
  };

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("load")) {
      loadOnce(Path.of(args[1]));
      return;
    }
    List<Integer> seriesCounts = new ArrayList<>();
    for (String arg : args) {
      seriesCounts.add(Integer.parseInt(arg.replace("_", "")));
    }
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MiB%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    for (int series : seriesCounts.isEmpty() ? List.of(100_000, 1_000_000) : seriesCounts) {
      run(series);
    }
  }

  static void run(int series) throws IOException {
    System.out.printf(Locale.ROOT, "%nsnapshot: %,d series x 240 samples (1 h at 15 s)...%n", series);
    try (ScratchDir scratch = ScratchDir.create("tocsin-snapshot-bench")) {
      Path dataDir = scratch.path();
      SeriesStore store = IngestBenchmark.filledStore(series);
      StoreSettings settings = store.settings();
      Snapshots snapshots = new Snapshots(dataDir, NO_STATES, Clock.systemUTC());
      for (int round = 1; round <= 2; round++) {
        Snapshots.Written written = snapshots.write(store, round);
        System.out.printf(Locale.ROOT,
            "snapshot: write #%d: %,d series, %,d samples, %,d MiB in %.2f s; %d bytes per series, %.2f per sample%n",
            round, written.series(), written.samples(), written.bytes() >> 20, seconds(written.took()),
            written.bytes() / written.series(), written.bytes() / (double) written.samples());
      }
      store = null;
      coldLoad(dataDir);
      IngestBenchmark.usedHeapAfterGc();
      for (int round = 1; round <= 2; round++) {
        SeriesStore restored = new SeriesStore(Clock.systemUTC(), settings);
        long before = IngestBenchmark.usedHeapAfterGc();
        Snapshots.Loaded loaded = snapshots.loadNewest(restored).orElseThrow();
        long after = IngestBenchmark.usedHeapAfterGc();
        System.out.printf(Locale.ROOT,
            "snapshot: load #%d: %,d series, %,d samples in %.2f s (%,.0f series/s); the store holds %,d MiB%n",
            round, loaded.series(), loaded.samples(), seconds(loaded.took()),
            loaded.series() / seconds(loaded.took()), (after - before) >> 20);
        if (restored.seriesCount() != series) {
          throw new IllegalStateException("loaded " + restored.seriesCount() + " series, expected " + series);
        }
      }
    }
  }

  /**
   * Loads the snapshot in a new JVM, as a restart does: nothing compiled yet, the heap at its
   * initial size.
   */
  private static void coldLoad(Path dataDir) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), SnapshotBenchmark.class.getName(), "load",
        dataDir.toString()));
    try {
      int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException("the loading JVM exited with " + exit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static void loadOnce(Path dataDir) throws IOException {
    long started = System.nanoTime();
    SeriesStore restored = new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(1), 4_000_000, 4_000_000));
    Snapshots.Loaded loaded = new Snapshots(dataDir, NO_STATES, Clock.systemUTC()).loadNewest(restored).orElseThrow();
    System.out.printf(Locale.ROOT,
        "snapshot: load in a new JVM: %,d series, %,d samples in %.2f s (%.2f s since the JVM's main began)%n",
        loaded.series(), loaded.samples(), seconds(loaded.took()), (System.nanoTime() - started) / 1e9);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
