package io.tocsin.store.wal;

import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.Series;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.WriterStateCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a store back from the write-ahead log: every segment from a given number on, in order,
 * record by record, with series recreated under the ids the log knows them by, samples appended
 * as they were stored, and writer state restored, so that the next point of a cumulative counter
 * yields its true increase. Records older than the retention window are skipped. A torn or
 * damaged record ends its segment's replay at the last good record, with a warning naming the file
 * and the offset, and the file is truncated there; the following segments are still replayed
 * (each one defines the series it uses).
 */
public final class WalRecovery implements WalRecords.Visitor {
  private static final Logger log = LoggerFactory.getLogger(WalRecovery.class);

  /**
   * What recovery found.
   *
   * @param nextSegment the number the log should go on with
   * @param segments the segments there, with the latest sample time of each
   */
  public record Result(int series, long samples, long skipped, int damaged, long nextSegment,
      Map<Long, Long> segments, long millis) {}

  private final SeriesStore store;
  private final long cutoffMs;
  private final LongMap<Definition> definitions = new LongMap<>();
  /**
   * The series the store held before the replay (from a snapshot) and those the log defined and
   * replay created, by id; touched: those the log has samples or state for.
   */
  private final SeriesById byId;
  /**
   * Log ids of series that replay found under another id: a series the log defines with the
   * labels of one the snapshot holds under its own id (the snapshot's was evicted after it was
   * taken, and the labels came back as a new series). Almost always empty.
   */
  private final LongMap<Series> aliases = new LongMap<>();
  private long samples;
  private long skipped;
  private long unknown;
  private long maxTime;

  private WalRecovery(SeriesStore store) {
    this.store = store;
    this.cutoffMs = store.retentionCutoffMs();
    List<Series> loaded = new ArrayList<>(store.seriesCount());
    store.forEachSeries(loaded::add);
    this.byId = SeriesById.of(loaded);
  }

  private record Definition(String metric, MetricKind kind, Labels labels) {}

  /**
   * Replays the segments of {@code dir} numbered {@code fromSegment} or higher into {@code store},
   * which has no log attached yet (nothing replayed is logged again).
   */
  public static Result replay(Path dir, long fromSegment, SeriesStore store, WriterStateCodec codec,
      WalMetrics metrics) throws IOException {
    long started = System.nanoTime();
    Files.createDirectories(dir);
    WalRecovery recovery = new WalRecovery(store);
    TreeMap<Long, Long> segments = new TreeMap<>();
    long next = Math.max(1, fromSegment);
    int damaged = 0;
    List<Long> numbers = Segments.list(dir);
    for (long number : numbers) {
      next = Math.max(next, number + 1);
      if (number < fromSegment) {
        continue;
      }
      recovery.maxTime = Long.MIN_VALUE;
      Boolean clean = recovery.replaySegment(Segments.path(dir, number), codec);
      if (clean == null) {
        continue; // empty or not a segment: removed or set aside
      }
      if (!clean) {
        damaged++;
        metrics.replayErrors.inc();
      }
      segments.put(number, recovery.maxTime);
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    metrics.recoverySeconds.set(millis / 1000.0);
    metrics.recoveredSamples.inc(recovery.samples);
    if (recovery.unknown > 0) {
      log.warn("write-ahead log: {} records named a series no segment defined; dropped", recovery.unknown);
    }
    log.info("write-ahead log: recovered {} series and {} samples from {} segments in {}s"
            + " ({} samples older than the retention window skipped)",
        recovery.byId.touchedCount(), recovery.samples, segments.size(), String.format("%.1f", millis / 1000.0),
        recovery.skipped);
    return new Result(recovery.byId.touchedCount(), recovery.samples, recovery.skipped, damaged, next, segments, millis);
  }

  /** True when the segment read to its end, false when it was damaged (and truncated), null when removed. */
  private Boolean replaySegment(Path file, WriterStateCodec codec) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        throw new IOException(file + " is larger than 2 GiB: not a write-ahead log segment");
      }
      ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      int header = Segments.HEADER.length;
      byte[] found = new byte[(int) Math.min(header, size)];
      data.get(found);
      if (!Arrays.equals(found, Segments.HEADER)) {
        if (Arrays.equals(found, Arrays.copyOf(Segments.HEADER, found.length))) {
          log.info("write-ahead log: {} was being created when the process stopped; removed", file);
          Files.delete(file);
          return null;
        }
        Path aside = file.resolveSibling(file.getFileName() + ".damaged");
        log.warn("write-ahead log: {} does not start with a segment header; moved aside to {}", file, aside);
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        return null;
      }
      WalRecords.Outcome outcome = WalRecords.read(data, codec, this);
      if (outcome.damage() == null) {
        return true;
      }
      long offset = outcome.goodEnd();
      log.warn("write-ahead log: {} has a damaged record at offset {} ({}); replayed the {} records before it and"
          + " dropped the {} bytes from there on", file, offset, outcome.damage(), outcome.records(), size - offset);
      channel.truncate(offset);
      channel.force(true);
      return false;
    }
  }

  @Override
  public void series(long id, String metric, MetricKind kind, Labels labels) {
    if (!knows(id)) {
      definitions.put(id, new Definition(metric, kind, labels));
    }
  }

  @Override
  public void sample(long id, long timeMs, double value, Object state) {
    note(timeMs);
    Series series = current(id, timeMs);
    if (series != null && series.kind() != MetricKind.HISTOGRAM) {
      series.append(timeMs, value);
      restoreState(series, state);
      samples++;
    }
  }

  @Override
  public void histogram(long id, long timeMs, HistogramSample sample, Object state) {
    note(timeMs);
    Series series = current(id, timeMs);
    if (series != null && series.kind() == MetricKind.HISTOGRAM) {
      series.appendHistogram(timeMs, sample);
      restoreState(series, state);
      samples++;
    }
  }

  @Override
  public boolean knows(long id) {
    return byId.get(id) != null || aliases.containsKey(id);
  }

  @Override
  public void state(long id, Object state) {
    Series series = find(id);
    if (series != null) {
      series.writerState(state);
    }
  }

  private void note(long timeMs) {
    maxTime = Math.max(maxTime, timeMs);
  }

  private static void restoreState(Series series, Object state) {
    if (state != WalRecords.UNCHANGED) {
      series.writerState(state);
    }
  }

  /** The series of {@code id} replayed so far or loaded before the replay, now touched; null when neither. */
  private Series find(long id) {
    Series found = byId.touch(id);
    return found != null ? found : aliases.get(id);
  }

  /** The series of {@code id}, created on its first sample inside the window; null to skip the record. */
  private Series current(long id, long timeMs) {
    if (timeMs < cutoffMs) {
      skipped++;
      return null;
    }
    Series found = find(id);
    if (found == null) {
      Definition d = definitions.remove(id);
      if (d == null) {
        unknown++;
        return null;
      }
      found = store.restore(id, d.metric, d.kind, d.labels);
      if (found == null) {
        skipped++;
        return null;
      }
      if (found.id() == id) {
        byId.add(found, true);
      } else { // the store holds these labels under another id: keep appending there
        aliases.put(id, found);
        byId.touch(found.id());
      }
    }
    return found;
  }
}
