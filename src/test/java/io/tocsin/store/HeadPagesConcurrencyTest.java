package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Writers append to the series of one metric, whose head chunks share that metric's {@link
 * HeadPages}, while readers read them: heads start, grow, seal and reuse slots concurrently, and
 * every read returns exactly a prefix of what was written to that series (a slot seen while
 * another series used it would show that series' values). A scan, which also loads chunks ahead
 * of the series it reads without their locks ({@link ScanAhead}), reads them the same.
 */
class HeadPagesConcurrencyTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final long STEP_MS = 15_000;
  static final int WRITERS = 3;
  static final int SERIES_PER_WRITER = 40;
  static final int SAMPLES = 400; // three chunks and more (120 samples each): heads grow and are cut

  final MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(1)));
  final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofDays(2), 10_000, 10_000));

  static Labels labels(int series) {
    return Labels.of("instance", "i-" + series);
  }

  /** Values whose changes vary in size, so that chunks of different series take different slots. */
  static double value(int series, int i) {
    return (series * 7919L + (long) i * i * (series % 5 + 1)) % 100_000 / 100.0;
  }

  @Test
  void readsDuringWrites_seeEachSeriesOwnSamplesOnly() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(WRITERS + 1);
    try {
      readWhileWriting(threads);
    } finally {
      threads.shutdownNow();
    }
  }

  private void readWhileWriting(ExecutorService threads) throws Exception {
    AtomicBoolean writing = new AtomicBoolean(true);
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      writers.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < SAMPLES; i++) {
          for (int k = 0; k < SERIES_PER_WRITER; k++) {
            int s = writer * SERIES_PER_WRITER + k;
            long time = T0.toEpochMilli() + i * STEP_MS;
            double v = value(s, i);
            store.write("m", MetricKind.GAUGE, labels(s), series -> series.append(time, v));
          }
        }
      }, threads));
    }
    CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
      int reads = 0;
      while (writing.get() || reads == 0) {
        for (SeriesSamples samples : store.read("m", l -> true, Long.MIN_VALUE, Long.MAX_VALUE)) {
          assertPrefix(samples);
        }
        store.scan("m", l -> true, Long.MIN_VALUE, Long.MAX_VALUE,
            (labels, kind, times, values, size) -> assertPrefix(labels, times, values, size));
        reads++;
      }
      return reads;
    }, threads);
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    writing.set(false);
    assertThat(reader.get(2, TimeUnit.MINUTES)).isPositive();
    List<SeriesSamples> all = store.read("m", l -> true, Long.MIN_VALUE, Long.MAX_VALUE);
    assertThat(all).hasSize(WRITERS * SERIES_PER_WRITER);
    for (SeriesSamples samples : all) {
      assertThat(samples.size()).isEqualTo(SAMPLES);
      assertPrefix(samples);
    }
    List<Integer> scanned = new ArrayList<>();
    store.scan("m", l -> !l.get("instance").endsWith("7"), Long.MIN_VALUE, Long.MAX_VALUE,
        (labels, kind, times, values, size) -> {
          assertThat(size).isEqualTo(SAMPLES);
          assertPrefix(labels, times, values, size);
          scanned.add(Integer.parseInt(labels.get("instance").substring(2)));
        });
    assertThat(scanned).hasSize(WRITERS * SERIES_PER_WRITER * 9 / 10).noneMatch(s -> s % 10 == 7);
  }

  @Test
  void allocateAndFreeFromManyThreads_keepEachThreadsSlotsApart() throws Exception {
    HeadPages pages = new HeadPages();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<Void>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long owner = t + 1;
        runs.add(CompletableFuture.runAsync(() -> churn(pages, owner), threads));
      }
      CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    } finally {
      threads.shutdownNow();
    }
  }

  /** Keeps 64 slots of its own, replacing one at a time, each filled with its owner and checked before it is freed. */
  private static void churn(HeadPages pages, long owner) {
    int[] addresses = new int[64];
    int[] sizes = new int[64];
    for (int i = 0; i < 200_000; i++) {
      int k = i % addresses.length;
      if (i >= addresses.length) {
        long[] page = pages.page(addresses[k]);
        for (int w = 0; w < sizes[k]; w++) {
          assertThat(page[HeadPages.offset(addresses[k]) + w]).as("word %d of a slot of thread %d", w, owner)
              .isEqualTo(owner << 32 | i - addresses.length);
        }
        pages.free(addresses[k], sizes[k]);
      }
      sizes[k] = 3 + (int) ((i * 31L + owner) % 14);
      addresses[k] = pages.allocate(sizes[k]);
      long[] page = pages.page(addresses[k]);
      for (int w = 0; w < sizes[k]; w++) {
        page[HeadPages.offset(addresses[k]) + w] = owner << 32 | i;
      }
    }
  }

  private static void assertPrefix(SeriesSamples samples) {
    assertPrefix(samples.labels(), samples.timesMs(), samples.values(), samples.size());
  }

  private static void assertPrefix(Labels labels, long[] times, double[] values, int size) {
    int s = Integer.parseInt(labels.get("instance").substring(2));
    for (int i = 0; i < size; i++) {
      assertThat(times[i]).as("series %d sample %d", s, i).isEqualTo(T0.toEpochMilli() + i * STEP_MS);
      assertThat(values[i]).as("series %d sample %d", s, i).isEqualTo(value(s, i));
    }
  }
}
