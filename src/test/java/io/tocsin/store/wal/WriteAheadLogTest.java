package io.tocsin.store.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.store.AppendLog;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.Series;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StaleMarker;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.Await;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.SmallDisk;
import io.tocsin.testing.StoreDump;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {
  private final MutableClock clock = MutableClock.at("2026-03-01T12:00:00Z");
  private final WalSettings settings = WalSettings.DEFAULT.withFsync(WalSettings.Fsync.ALWAYS);

  @TempDir
  Path dir;

  private SeriesStore newStore() {
    return new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 1000, 1000));
  }

  private WriteAheadLog recoverAndOpen(SeriesStore store, WalSettings walSettings) throws IOException {
    return recoverAndOpen(store, walSettings, 1);
  }

  private WriteAheadLog recoverAndOpen(SeriesStore store, WalSettings walSettings, long fromSegment) throws IOException {
    WalMetrics metrics = new WalMetrics(new PrometheusRegistry());
    WalRecovery.Result result = WalRecovery.replay(dir, fromSegment, store, TestStates.CODEC, metrics);
    WriteAheadLog wal = WriteAheadLog.open(dir, walSettings, TestStates.CODEC, metrics, result.nextSegment(),
        result.segments());
    store.attachLog(wal);
    return wal;
  }

  private SeriesStore replayed(long fromSegment) throws IOException {
    SeriesStore store = newStore();
    WalRecovery.replay(dir, fromSegment, store, TestStates.CODEC, new WalMetrics(new PrometheusRegistry()));
    return store;
  }

  private String dump(SeriesStore store) {
    return StoreDump.of(store, TestStates.CODEC);
  }

  private void gauge(SeriesStore store, String metric, long t, double v) {
    store.write(metric, MetricKind.GAUGE, Labels.of("host", "a"), s -> s.append(t, v));
  }

  private long now() {
    return clock.millis();
  }

  @Test
  void replay_restoresSamplesStaleMarkersHistogramsAndWriterState() throws Exception {
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      gauge(store, "temp", now() - 3000, 1.5);
      gauge(store, "temp", now() - 2000, Double.NaN);
      gauge(store, "temp", now() - 1000, StaleMarker.VALUE);
      for (int i = 0; i < 5; i++) {
        long t = now() - 5000 + i * 1000;
        double total = 10.0 * i;
        store.write("hits", MetricKind.COUNTER, Labels.of("route", "/x"), s -> {
          s.append(t, total);
          s.writerState(new TestStates((long) total));
        });
      }
      store.write("hits", MetricKind.COUNTER, Labels.of("route", "/y"), s -> s.writerState(new TestStates(7)));
      store.write("hits", MetricKind.COUNTER, Labels.of("route", "/y"), s -> s.writerState(null));
      store.write("hits", MetricKind.COUNTER, Labels.of("route", "/z"), s -> {
        s.append(now() - 10, 3);
        s.writerState(new TestStates(3));
        s.append(now() - 5, StaleMarker.VALUE);
        s.writerState(null);
      });
      HistogramSample h = new HistogramSample(3, 4.5, new double[] {1, 2}, new double[] {1, 1, 1});
      store.write("latency", MetricKind.HISTOGRAM, Labels.EMPTY, s -> {
        s.appendHistogram(now() - 2000, h);
        s.writerState(new TestStates(3));
        s.appendHistogram(now() - 1000, null);
      });
      wal.commit();
    }
    String before = dump(store);
    assertThat(before).contains("temp{host=\"a\"}:gauge", "7ff0000000000002", "stale", "state=0000000000000028");

    SeriesStore restored = newStore();
    try (WriteAheadLog wal = recoverAndOpen(restored, settings)) {
      assertThat(dump(restored)).isEqualTo(before);
      assertThat(wal.currentSegment()).as("a fresh segment after replay").isEqualTo(2);
      gauge(restored, "temp", now(), 2.5);
      wal.commit();
    }
    assertThat(dump(replayed(1))).isEqualTo(dump(restored)).isNotEqualTo(before);
  }

  @Test
  void sampleWithItsState_isOneRecord_andReplaysAsTheSampleAndTheStateOneAfterTheOther() throws Exception {
    SeriesStore store = newStore();
    long[] bytes = new long[2];
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      HistogramSample h = new HistogramSample(3, 4.5, new double[] {1, 2}, new double[] {1, 1, 1});
      for (int i = 0; i < 2; i++) {
        long t = now() - 5000 + i * 1000;
        store.write("hits", MetricKind.COUNTER, Labels.of("route", "/x"), s -> s.append(t, 10, new TestStates(t)));
        store.write("latency", MetricKind.HISTOGRAM, Labels.EMPTY, s -> s.appendHistogram(t, h, new TestStates(t)));
        wal.commit();
        bytes[i] = Files.size(Segments.path(dir, 1));
      }
      // A duplicate keeps its sample out of the log but takes the state; out of order takes neither.
      store.write("hits", MetricKind.COUNTER, Labels.of("route", "/x"), s -> s.append(now() - 4000, 10, new TestStates(1)));
      store.write("hits", MetricKind.COUNTER, Labels.of("route", "/x"), s -> s.append(now() - 4500, 10, new TestStates(2)));
      store.write("hits", MetricKind.COUNTER, Labels.of("route", "/z"), s -> {
        s.append(now() - 10, 3, new TestStates(3));
        s.append(now() - 5, StaleMarker.VALUE, null);
      });
      wal.commit();
    }
    String before = dump(store);
    assertThat(before).contains("=4024000000000000 state=0000000000000001", "=7ff0000000000002 state=none");
    // Each sample and its 8-byte state in one record: length, type, id, time (6 bytes), value, state
    // length, state, CRC; a histogram's value is a presence byte, count, sum, bounds and counts.
    long sampleWithState = 1 + 1 + 1 + 6 + 8 + 1 + 8 + 4;
    long histogramWithState = sampleWithState - 8 + 1 + 8 + 8 + (1 + 16) + (1 + 24);
    assertThat(bytes[1] - bytes[0]).isEqualTo(sampleWithState + histogramWithState);

    assertThat(dump(replayed(1))).isEqualTo(before);
  }

  @Test
  void tornTail_replaysTheRecordsBeforeItWarnsAndTruncates() throws Exception {
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      for (int i = 0; i < 10; i++) {
        gauge(store, "temp", now() - 10_000 + i, i);
      }
      wal.commit();
    }
    Path segment = Segments.path(dir, 1);
    long size = Files.size(segment);
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(size - 3);
    }

    SeriesStore restored = newStore();
    try (LogCapture logs = LogCapture.of(WalRecovery.class); WriteAheadLog wal = recoverAndOpen(restored, settings)) {
      assertThat(restored.read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values())
          .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
      long goodEnd = Files.size(segment);
      assertThat(goodEnd).isLessThan(size - 3);
      assertThat(logs.messages()).contains("WARN write-ahead log: " + segment + " has a damaged record at offset "
          + goodEnd + " (record is cut off (16-byte body, " + (size - 3 - goodEnd - 1) + " bytes left)); replayed the"
          + " 10 records before it and dropped the " + (size - 3 - goodEnd) + " bytes from there on");
      gauge(restored, "temp", now(), 42);
      wal.commit();
    }
    try (LogCapture logs = LogCapture.of(WalRecovery.class)) {
      assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values())
          .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 42);
      assertThat(logs.messages()).noneMatch(m -> m.startsWith("WARN"));
    }
  }

  @Test
  void flippedByte_keepsTheRecordsBeforeItAndTheLaterSegments() throws Exception {
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      for (int i = 0; i < 20; i++) {
        gauge(store, "temp", now() - 10_000 + i, i);
      }
      wal.cutSegment();
      for (int i = 0; i < 5; i++) {
        gauge(store, "load", now() - 10_000 + i, i);
      }
      wal.commit();
    }
    Path first = Segments.path(dir, 1);
    try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
      long at = file.length() / 2;
      file.seek(at);
      int b = file.read();
      file.seek(at);
      file.write(b ^ 0x10);
    }

    SeriesStore restored = newStore();
    try (LogCapture logs = LogCapture.of(WalRecovery.class)) {
      WalRecovery.Result result = WalRecovery.replay(dir, 1, restored, TestStates.CODEC,
          new WalMetrics(new PrometheusRegistry()));
      assertThat(result.damaged()).isEqualTo(1);
      String expected = "WARN write-ahead log: " + first + " has a damaged record at offset " + Files.size(first) + " (";
      assertThat(logs.messages()).anyMatch(m -> m.startsWith(expected));
    }
    double[] kept = restored.read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values();
    assertThat(kept.length).isBetween(5, 15);
    for (int i = 0; i < kept.length; i++) {
      assertThat(kept[i]).isEqualTo(i);
    }
    assertThat(restored.read("load", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void fullSegments_rotateAndReplayFromACutSegmentSeesOnlyWhatCameAfter() throws Exception {
    SeriesStore store = newStore();
    long cut;
    try (WriteAheadLog wal = recoverAndOpen(store, settings.withSegmentBytes(1024))) {
      for (int i = 0; i < 300; i++) {
        gauge(store, "temp", now() - 10_000 + i, i);
        store.write("load", MetricKind.GAUGE, Labels.of("cpu", Integer.toString(i % 3)),
            s -> s.append(s.lastTimeMs() == Long.MIN_VALUE ? now() - 20_000 : s.lastTimeMs() + 1, 1));
      }
      wal.commit();
      assertThat(wal.segmentCount()).isGreaterThan(5);
      cut = wal.cutSegment();
      gauge(store, "temp", now(), 1000);
      wal.commit();
      wal.deleteSegmentsBefore(cut);
      assertThat(Segments.list(dir)).first().isEqualTo(cut);
    }
    assertThat(replayed(cut).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(1000);
    assertThat(replayed(cut).metricNames()).containsExactly("temp");
  }

  /**
   * A series is defined once per epoch (from open or a cut on), not in every segment: the same
   * writes take the same bytes whether or not the log rotates, and replay across the rotated
   * segments still knows every series.
   */
  @Test
  void rotation_definesNoSeriesAgain_andReplayAcrossSegmentsKnowsThemAll() throws Exception {
    long[] bytes = new long[2];
    long[] segments = new long[2];
    int round = 0;
    for (long segmentBytes : new long[] {WalSettings.DEFAULT_SEGMENT_BYTES, 1024}) {
      dir = Files.createDirectories(dir.resolve("rotating-" + segmentBytes));
      SeriesStore store = newStore();
      try (WriteAheadLog wal = recoverAndOpen(store, settings.withSegmentBytes(segmentBytes))) {
        for (int i = 0; i < 3; i++) {
          for (int s = 0; s < 200; s++) {
            int value = i;
            store.write("temp", MetricKind.GAUGE, Labels.of("host", "h" + s), series -> series.append(now() - 1000 + value, value));
          }
        }
        wal.commit();
      }
      for (long number : Segments.list(dir)) {
        bytes[round] += Files.size(Segments.path(dir, number)) - Segments.HEADER.length;
        segments[round]++;
      }
      SeriesStore restored = replayed(1);
      assertThat(restored.seriesCount()).isEqualTo(200);
      assertThat(restored.read("temp", l -> true, 0, Long.MAX_VALUE)).allSatisfy(
          series -> assertThat(series.values()).containsExactly(0, 1, 2));
      round++;
    }
    assertThat(segments[1]).as("the small segments rotated").isGreaterThan(10);
    assertThat(bytes[1]).isEqualTo(bytes[0]);
  }

  /**
   * Records spanning several small segments when the disk fills after the first few: the parts
   * written before the failure count as written (not again, and not never), commit reports the failure, and once there is room everything is
   * written and replays.
   */
  @Test
  void fullDisk_commitFails_thenEverythingIsWrittenOnceThereIsRoom() throws Exception {
    try (SmallDisk disk = SmallDisk.mount(dir.resolve("small"), "WriteAheadLogTest.fullDisk")) {
      dir = disk.path();
      SeriesStore store = newStore();
      try (WriteAheadLog wal = recoverAndOpen(store, settings.withSegmentBytes(4096))) {
        gauge(store, "temp", now() - 100_000, -1);
        wal.commit();
        Path filler = disk.fill();
        try (FileChannel channel = FileChannel.open(filler, StandardOpenOption.WRITE)) {
          channel.truncate(channel.size() - 12_288); // room for the first few segments only
        }
        for (int i = 0; i < 2000; i++) {
          gauge(store, "temp", now() - 50_000 + i, i);
        }
        assertThatThrownBy(wal::commit).isInstanceOf(IOException.class)
            .hasMessageStartingWith("write-ahead log cannot write: No space left on device");
        assertThat(wal.failure()).isNotNull();
        Files.delete(filler);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
          try {
            wal.commit();
            break;
          } catch (IOException e) {
            assertThat(System.nanoTime()).as("written in time").isLessThan(deadline);
            Thread.sleep(20);
          }
        }
        assertThat(wal.failure()).isNull();
      }
      assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).hasSize(2001);
    }
  }

  @Test
  void segmentsOlderThanRetention_areDeletedAndTheirRecordsSkipped() throws Exception {
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      gauge(store, "temp", now(), 1);
      wal.commit();
      clock.advance(Duration.ofMinutes(90));
      wal.cutSegment();
      gauge(store, "temp", now(), 2);
      wal.commit();
      assertThat(wal.deleteSegmentsOlderThan(store.retentionCutoffMs())).isEqualTo(1);
      assertThat(Segments.list(dir)).containsExactly(2L);
    }
    assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(2);
  }

  /** Until the next cut (a snapshot), old segments stay: they hold the definitions later ones use. */
  @Test
  void oldSegmentsOfTheCurrentEpoch_stay_forTheDefinitionsLaterSegmentsUse() throws Exception {
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings.withSegmentBytes(1024))) {
      for (int i = 0; i < 100; i++) {
        gauge(store, "temp", now() + i, i);
      }
      wal.commit();
      clock.advance(Duration.ofMinutes(90));
      gauge(store, "temp", now(), 1000);
      wal.commit();
      assertThat(wal.segmentCount()).isGreaterThan(2);
      assertThat(wal.deleteSegmentsOlderThan(store.retentionCutoffMs())).isZero();
    }
    assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(1000);
  }

  @Test
  void replay_aSeriesTheStoreHoldsUnderAnotherId_appendsToIt() throws Exception {
    // As after a snapshot that holds the labels under an id evicted since, then given to a new series.
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      gauge(store, "temp", now(), 1);
      gauge(store, "temp", now() + 15_000, 2);
      wal.commit();
    }
    SeriesStore loaded = newStore();
    AtomicLong logId = new AtomicLong();
    store.forEachSeries(series -> logId.set(series.id()));
    Series held = loaded.restore(logId.get() + 41, "temp", MetricKind.GAUGE, Labels.of("host", "a"));
    held.append(now() - 15_000, 0);
    WalRecovery.Result result = WalRecovery.replay(dir, 1, loaded, TestStates.CODEC,
        new WalMetrics(new PrometheusRegistry()));
    assertThat(List.of((long) result.series(), result.samples())).containsExactly(1L, 2L);
    assertThat(loaded.read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(0, 1, 2);
  }

  @Test
  void replay_skipsSamplesOlderThanRetention() throws Exception {
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      gauge(store, "temp", now(), 1);
      gauge(store, "temp", now() + 60 * 60_000, 2);
      wal.commit();
    }
    clock.advance(Duration.ofMinutes(70));
    SeriesStore restored = newStore();
    WalRecovery.Result result = WalRecovery.replay(dir, 1, restored, TestStates.CODEC,
        new WalMetrics(new PrometheusRegistry()));
    assertThat(List.of(result.samples(), result.skipped())).containsExactly(1L, 1L);
    assertThat(restored.read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(2);
  }

  // --- gathering a request's records (AppendLog.gather) --------------------------------------

  @Test
  void gather_recordsReachTheLogWhenTheGatheringCloses() throws Exception {
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      try (AppendLog.Gathering gathering = wal.gather()) {
        assertThat(gathering).isNotSameAs(AppendLog.Gathering.NONE);
        gauge(store, "temp", now() - 1000, 1);
        wal.cutSegment(); // writes what the log holds, as a commit would, without flushing batches
        assertThat(replayed(1).seriesCount()).as("not in the log while gathering").isZero();
      }
      wal.commit();
    }
    assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(1);
  }

  /**
   * The series' first record waits in a gathering on another thread while this thread logs its
   * second: the second must not reach the log first, or replay would refuse the first as out of
   * order.
   */
  @Test
  void gather_seriesLoggedFromAnotherGatheringMeanwhile_keepsItsRecordsInMemoryOrder() throws Exception {
    assertRecordsInMemoryOrder(true);
  }

  @Test
  void gather_seriesLoggedWithoutGatheringMeanwhile_keepsItsRecordsInMemoryOrder() throws Exception {
    assertRecordsInMemoryOrder(false);
  }

  /** A gathering opened on {@code thread}, where {@code writes} ran in it; close it there too. */
  private static AppendLog.Gathering gatheringOn(ExecutorService thread, WriteAheadLog wal, Runnable writes)
      throws Exception {
    return thread.submit(() -> {
      AppendLog.Gathering g = wal.gather();
      writes.run();
      return g;
    }).get();
  }

  private void assertRecordsInMemoryOrder(boolean gathering) throws Exception {
    SeriesStore store = newStore();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      AppendLog.Gathering first = gatheringOn(other, wal, () -> gauge(store, "temp", now() - 2000, 1));
      try (AppendLog.Gathering second = gathering ? wal.gather() : AppendLog.Gathering.NONE) {
        gauge(store, "temp", now() - 1000, 2);
        gauge(store, "other", now() - 1000, 3);
      }
      wal.commit();
      other.submit(first::close).get();
      wal.commit();
    } finally {
      other.shutdownNow();
    }
    assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(1, 2);
  }

  /**
   * A retry of a point whose record still waits in another request's batch is a duplicate and
   * logs nothing; its commit must still wait for that record, since its client is told the
   * point is stored.
   */
  @Test
  void commit_afterADuplicateOfAPointWaitingInAnotherBatch_makesThatPointDurable() throws Exception {
    SeriesStore store = newStore();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      AppendLog.Gathering first = gatheringOn(other, wal, () -> gauge(store, "temp", now() - 1000, 1));
      try (AppendLog.Gathering retry = wal.gather()) {
        gauge(store, "temp", now() - 1000, 1);
      }
      wal.commit();
      assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(1);
      other.submit(first::close).get();
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void gather_closedTwice_leavesTheBatchItHadToWhoeverTookItNext() throws Exception {
    SeriesStore store = newStore();
    ExecutorService others = Executors.newFixedThreadPool(Series.MAX_LOG_BATCH);
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      AppendLog.Gathering first = wal.gather();
      first.close();
      CountDownLatch gathering = new CountDownLatch(Series.MAX_LOG_BATCH);
      CountDownLatch done = new CountDownLatch(1);
      for (int i = 0; i < Series.MAX_LOG_BATCH; i++) { // every batch, the first's among them
        others.submit(() -> {
          try (AppendLog.Gathering g = wal.gather()) {
            assertThat(g).isNotSameAs(AppendLog.Gathering.NONE);
            gathering.countDown();
            done.await();
          }
          return null;
        });
      }
      assertThat(gathering.await(30, TimeUnit.SECONDS)).isTrue();
      first.close();
      try (AppendLog.Gathering none = wal.gather()) {
        assertThat(none).as("every batch still taken").isSameAs(AppendLog.Gathering.NONE);
      }
      done.countDown();
    } finally {
      others.shutdown();
      assertThat(others.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void gather_allBatchesTaken_logsRecordByRecord() throws Exception {
    SeriesStore store = newStore();
    ExecutorService others = Executors.newFixedThreadPool(Series.MAX_LOG_BATCH);
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      CountDownLatch gathering = new CountDownLatch(Series.MAX_LOG_BATCH);
      CountDownLatch done = new CountDownLatch(1);
      for (int i = 0; i < Series.MAX_LOG_BATCH; i++) {
        others.submit(() -> {
          try (AppendLog.Gathering g = wal.gather()) {
            gathering.countDown();
            done.await();
          }
          return null;
        });
      }
      assertThat(gathering.await(30, TimeUnit.SECONDS)).isTrue();
      try (AppendLog.Gathering none = wal.gather()) {
        assertThat(none).isSameAs(AppendLog.Gathering.NONE);
        gauge(store, "temp", now() - 1000, 1);
      }
      wal.commit();
      done.countDown();
    } finally {
      others.shutdown();
      assertThat(others.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(1);
  }

  @Test
  void gather_largerThanItsBuffer_addsToTheLogAsItGrows() throws Exception {
    SeriesStore store = newStore();
    int samples = Gathered.FLUSH_BYTES / 20 + 100; // a gauge's record is 21 bytes
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      try (AppendLog.Gathering gathering = wal.gather()) {
        for (int i = 0; i < samples; i++) {
          gauge(store, "temp", now() - samples + i, i);
        }
        // Not a commit, which would flush this batch too: the writer writes what reached the buffer by itself.
        int logged = Await.until("the flushed part written", Duration.ofSeconds(30),
            () -> replayed(1).seriesCount() == 0 ? 0 : replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE)
                .get(0).values().length, n -> n > samples / 2);
        assertThat(logged).isLessThan(samples);
      }
      wal.commit();
    }
    assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).hasSize(samples);
  }

  @Test
  void idle_afterARequestGrewABatch_givesBackItsBuffers() throws Exception {
    SeriesStore store = newStore();
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      long atStart = wal.bufferBytes();
      int samples = Gathered.FLUSH_BYTES / 20 + 100; // a gauge's record is 21 bytes: its batch grows past its start
      try (AppendLog.Gathering gathering = wal.gather()) {
        for (int i = 0; i < samples; i++) {
          gauge(store, "temp", now() - samples + i, i);
        }
        // Grown, and not given back while its request holds it, even if the writer saw a second of nothing.
        assertThat(wal.bufferBytes()).isGreaterThan(atStart);
      }
      wal.commit();

      // With nothing to write for a second, the writer gives back what the request grew.
      Await.until("the log's buffers back to their size at start", Duration.ofSeconds(30), wal::bufferBytes,
          bytes -> bytes == atStart);
    }
  }

  /** A cut (a snapshot's) while records wait: they go to the new segment, defined there. */
  @Test
  void gather_segmentCutWhileGathering_definesItsSeriesInTheNewSegment() throws Exception {
    SeriesStore store = newStore();
    long cut;
    try (WriteAheadLog wal = recoverAndOpen(store, settings)) {
      gauge(store, "temp", now() - 3000, 1);
      wal.commit();
      try (AppendLog.Gathering gathering = wal.gather()) {
        gauge(store, "temp", now() - 2000, 2);
        cut = wal.cutSegment();
        gauge(store, "temp", now() - 1000, 3);
      }
      wal.commit();
    }
    assertThat(replayed(cut).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(2, 3);
    assertThat(replayed(1).read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).containsExactly(1, 2, 3);
  }

  /** Request threads racing on shared series, gathering or not, with segment cuts: the log replays to memory. */
  @Test
  void gather_racingWritersOnSharedSeries_replayToWhatMemoryHolds() throws Exception {
    SeriesStore store = newStore();
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicLong clockMs = new AtomicLong(now() - 600_000);
    try (WriteAheadLog wal = recoverAndOpen(store, settings.withSegmentBytes(16 << 10))) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        int writer = w;
        done.add(pool.submit(() -> {
          Random random = new Random(writer);
          for (int request = 0; request < 300; request++) {
            try (AppendLog.Gathering g = request % 5 == writer ? AppendLog.Gathering.NONE : wal.gather()) {
              for (int i = 0; i < 20; i++) {
                // The time is taken under the series' lock, so each series' samples are in time order in memory.
                store.write("temp", MetricKind.GAUGE, Labels.of("host", "h" + random.nextInt(30)),
                    s -> s.append(clockMs.incrementAndGet(), writer));
              }
              if (writer == 0 && request % 50 == 0) {
                wal.cutSegment();
              }
            }
            wal.commit();
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.seriesCount()).isEqualTo(30);
    assertThat(dump(replayed(1))).isEqualTo(dump(store));
  }
}
