package io.tocsin.store.wal;

import io.tocsin.store.AppendLog;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Series;
import io.tocsin.store.WriterStateCodec;
import io.tocsin.store.wal.WalSettings.Fsync;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log (design §8): every change the store makes is framed as a record on the
 * writer's thread and added to a shared buffer while the writer holds the series' lock (so a
 * series' records are in memory order), and one
 * writer thread writes whatever has gathered, for every waiting request at once (group commit),
 * into numbered segment files of about {@link WalSettings#segmentBytes}.
 *
 * <p>An export is answered once {@link #commit} returns: its records are written (with {@code
 * fsync: always}, also forced to disk). When a write or fsync fails (a full disk, an I/O error),
 * the buffered records are kept and retried with a growing pause, {@link #commit} and {@link
 * #failure} report the error so that OTLP answers "retry later", and writing resumes by itself
 * once the disk takes data again. A write that failed halfway is truncated away before the
 * retry. After a failed fsync the kernel may have dropped the unsynced pages; the log retries
 * the fsync, which is what PostgreSQL did before 2018 — a crash in that window can lose them.
 */
public final class WriteAheadLog implements AppendLog, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);
  /** How long {@link #commit} waits for a stuck disk before answering "retry later". */
  private static final long COMMIT_TIMEOUT_MS = 30_000;
  private static final long MAX_RETRY_PAUSE_MS = 1_000;
  /** How long the writer parks when it has nothing to write or sync. */
  private static final long IDLE_MS = 1_000;

  private final Path dir;
  private final WalSettings settings;
  private final WriterStateCodec codec;
  private final WalMetrics metrics;
  private final Thread writer;

  /** Each appending thread's buffers, where a record is built and framed before the lock is taken. */
  private final ThreadLocal<Framer> framers = ThreadLocal.withInitial(Framer::new);
  /** The batches of {@link #gather}, by {@link Series#logBatch} (index 0 unused); each guarded by itself. */
  private final Gathered[] batches = new Gathered[Series.MAX_LOG_BATCH + 1];
  /** Bit n: batches[n] belongs to an open gathering. Guarded by {@link #batches}. */
  private int batchesInUse;
  private int lastBatch;

  // Appenders' side, guarded by this.
  /** A series definition's body: defining is rare, and decided under the lock (see {@link #epochStart}). */
  private final RecordBuffer definition = new RecordBuffer(256);
  private final CRC32C crc = new CRC32C();
  private Batch pending = new Batch();
  private long segment;
  /**
   * The first segment of the current definition epoch: a series is defined (metric, labels) the
   * first time it appears from this segment on, not in every segment. An epoch starts at open and
   * at every {@link #cutSegment} (a snapshot), which holds every series defined before it; so
   * replay from a snapshot's segment finds each series either in the snapshot or defined in the
   * log after it. Defining in every segment instead cost ~60 bytes per sample at a million series
   * (a 128 MiB segment held little but definitions) and most of a restart's replay time.
   */
  private long epochStart;
  /** The series defined since {@link #epochStart}. */
  private final DefinedSeries defined = new DefinedSeries();
  private long segmentSize;
  /** Latest sample time per finished segment (Long.MIN_VALUE when it has none), for deletion by age. */
  private final TreeMap<Long, Long> maxTimes = new TreeMap<>();
  private long segmentMaxTime = Long.MIN_VALUE;
  private long appended;
  private long written;
  private long synced;
  private IOException failure;
  private boolean closed;

  /** Records the writer thread has taken, from log position {@link #inFlightBase} on. */
  private Batch inFlight = new Batch();
  private long inFlightBase;
  private volatile long inFlightFirstSegment = Long.MAX_VALUE;

  // The writer thread's own.
  private SegmentWriter files;

  private WriteAheadLog(Path dir, WalSettings settings, WriterStateCodec codec, WalMetrics metrics, long firstSegment,
      Map<Long, Long> existing) {
    this.dir = dir;
    this.settings = settings;
    this.codec = codec;
    this.metrics = metrics;
    this.maxTimes.putAll(existing);
    this.segment = firstSegment;
    this.epochStart = firstSegment;
    this.segmentSize = Segments.HEADER.length;
    pending.reset(firstSegment);
    inFlight.reset(firstSegment);
    this.writer = new Thread(this::run, "wal-writer");
    this.writer.setDaemon(true);
    for (int slot = 1; slot < batches.length; slot++) {
      batches[slot] = new Gathered(slot);
    }
  }

  /**
   * Opens the log for appending in a new segment {@code firstSegment} of {@code dir}, created
   * here so that a directory that cannot be written fails now; {@code existing} are the segments
   * already there, with their latest sample times.
   */
  public static WriteAheadLog open(Path dir, WalSettings settings, WriterStateCodec codec, WalMetrics metrics,
      long firstSegment, Map<Long, Long> existing) throws IOException {
    Files.createDirectories(dir);
    WriteAheadLog wal = new WriteAheadLog(dir, settings, codec, metrics, firstSegment, existing);
    wal.files = SegmentWriter.open(dir, firstSegment, settings.fsync(), metrics);
    wal.metrics.segments.set(wal.maxTimes.size() + 1);
    wal.writer.start();
    return wal;
  }

  @Override
  public void sample(Series series, long timeMs, double value) {
    Framer f = framers.get();
    WalRecords.sampleBody(f.body, series.id(), timeMs, value);
    append(series, timeMs, f);
  }

  /**
   * The sample and the writer state it leaves in one record (a cumulative counter's point).
   *
   * <p>Why log the state (through ingest's codec) rather than the raw cumulative value: the log
   * then holds exactly what memory holds, so replay rebuilds the same chunks without running
   * ingest's conversions again (which depend on when the receiver started, and would count a
   * replayed stream's first point differently); the price is the state's 17 bytes plus a length
   * byte on a cumulative sample (39 bytes in all, against 21 for a gauge).
   */
  @Override
  public void sample(Series series, long timeMs, double value, Object state) {
    Framer f = framers.get();
    WalRecords.sampleBody(f.body, series.id(), timeMs, value);
    f.addState(state, codec);
    append(series, timeMs, f);
  }

  @Override
  public void counterSample(Series series, long timeMs, double value, long startNanos, double lastValue) {
    Framer f = framers.get();
    WalRecords.sampleBody(f.body, series.id(), timeMs, value);
    f.addCounterState(startNanos, lastValue, codec);
    append(series, timeMs, f);
  }

  @Override
  public void histogram(Series series, long timeMs, HistogramSample sample) {
    Framer f = framers.get();
    WalRecords.histogramBody(f.body, series.id(), timeMs, sample);
    append(series, timeMs, f);
  }

  @Override
  public void histogram(Series series, long timeMs, HistogramSample sample, Object state) {
    Framer f = framers.get();
    WalRecords.histogramBody(f.body, series.id(), timeMs, sample);
    f.addState(state, codec);
    append(series, timeMs, f);
  }

  @Override
  public void writerState(Series series, Object state) {
    Framer f = framers.get();
    WalRecords.stateBody(f.body, series.id());
    f.addState(state, codec);
    append(series, Long.MIN_VALUE, f);
  }

  /**
   * Frames the record in {@code f} (length, checksum) on the caller's thread, then adds it to the
   * shared buffer under the lock, which the caller takes while holding the series' lock, so the
   * series' records stay in memory order. Framing outside the lock keeps the lock's hold, and the
   * shared buffer's cache lines moving between cores, to a copy of a few dozen bytes: with one
   * lock per sample and request threads on every core, building and checksumming the record under
   * it made a fifth of a remote-write request's CPU at 10k series.
   *
   * <p>In a {@link #gather}ing the record goes to its batch instead, which reaches the shared
   * buffer once per request. The series then names that batch ({@link Series#logBatch}): a later
   * record of the series from another thread first flushes the named batch if it still holds
   * anything, so the series' records keep their order whichever batch they travel in. The lock
   * and cache lines shared by every request thread per sample cost up to twice the CPU of the
   * rest of the request path (a 10k-series remote-write run, two cores, four connections).
   */
  private void append(Series series, long timeMs, Framer f) {
    int named = series.logBatch();
    Gathered own = f.gathering;
    if (named != 0 && (own == null || own.slot != named)) {
      Gathered other = batches[named];
      synchronized (other) {
        flush(other);
      }
    }
    if (own != null) {
      if (named != own.slot) {
        series.logBatch(own.slot);
      }
      synchronized (own) {
        own.add(series, timeMs, f.body, f.crc);
        if (own.full()) {
          flush(own);
        }
      }
    } else {
      if (named != 0) {
        series.logBatch(0);
      }
      f.framed.clear();
      WalRecords.frame(f.body, f.framed, f.crc);
      synchronized (this) {
        nextSegmentIfFull();
        define(series);
        addRecords(f.framed, timeMs);
      }
    }
    f.trim();
  }

  /**
   * Gathers this thread's records in one of the log's batches; when all are in use (more
   * gatherings at once than {@link Series#MAX_LOG_BATCH}), records go one by one as without.
   */
  @Override
  public Gathering gather() {
    Framer f = framers.get();
    if (f.gathering != null) {
      return Gathering.NONE;
    }
    Gathered taken = takeBatch();
    if (taken == null) {
      return Gathering.NONE;
    }
    f.gathering = taken;
    return new OpenGathering(f, taken);
  }

  /** A gathering to close once, on the thread that opened it. */
  private final class OpenGathering implements Gathering {
    private final Framer framer;
    private final Gathered batch;
    private boolean closed;

    OpenGathering(Framer framer, Gathered batch) {
      this.framer = framer;
      this.batch = batch;
    }

    @Override
    public void close() {
      if (closed) {
        return; // a second close must not free the batch another gathering may have taken since
      }
      closed = true;
      framer.gathering = null;
      try {
        synchronized (batch) {
          flush(batch);
        }
      } finally {
        synchronized (batches) {
          batchesInUse &= ~(1 << batch.slot);
        }
      }
    }
  }

  /**
   * A free batch, the next after the last one taken: a series names the batch of its last
   * record, and taking them in turn means that batch is seldom busy again with another request
   * when the series' next request comes, which would make that request flush it.
   */
  private Gathered takeBatch() {
    synchronized (batches) {
      for (int i = 1; i < batches.length; i++) {
        int slot = 1 + (lastBatch + i - 1) % (batches.length - 1);
        if ((batchesInUse & 1 << slot) == 0) {
          batchesInUse |= 1 << slot;
          lastBatch = slot;
          return batches[slot];
        }
      }
      return null;
    }
  }

  /** Adds what {@code g} holds to the shared buffer, its series defined first; the caller holds g's lock. */
  private void flush(Gathered g) {
    if (g.isEmpty()) {
      return;
    }
    synchronized (this) {
      // Checked once per batch: a segment may end up to a batch (Gathered.FLUSH_BYTES) over its size.
      nextSegmentIfFull();
      for (int i = 0; i < g.records(); i++) {
        define(g.series(i));
      }
      addRecords(g.data, g.maxTimeMs());
    }
    g.clear();
  }

  /** Adds framed records, whose latest sample time is {@code maxTimeMs}, to the shared buffer; under the lock. */
  private void addRecords(RecordBuffer framed, long maxTimeMs) {
    if (maxTimeMs > segmentMaxTime) {
      segmentMaxTime = maxTimeMs;
    }
    pending.data.append(framed);
    add(framed.size);
  }

  private void nextSegmentIfFull() {
    if (segmentSize >= settings.segmentBytes()) {
      startSegment(segment + 1);
    }
  }

  /** Defines the series in the segment unless this epoch did. */
  private void define(Series series) {
    if (!defined.contains(series.id())) {
      WalRecords.seriesBody(definition, series.id(), series.metric(), series.kind(), series.labels());
      add(WalRecords.frame(definition, pending.data, crc));
      // Marked only once the definition is in the segment: a write that failed defines it again next time.
      defined.add(series.id());
      definition.trimTo(4096);
    }
  }

  private void add(int bytes) {
    appended += bytes;
    segmentSize += bytes;
  }

  private void startSegment(long number) {
    maxTimes.put(segment, segmentMaxTime);
    segment = number;
    segmentSize = Segments.HEADER.length;
    segmentMaxTime = Long.MIN_VALUE;
    pending.cut(number);
    metrics.segments.set(maxTimes.size() + 1);
    LockSupport.unpark(writer);
  }

  /**
   * Moves to a new segment and returns its number: everything appended after this call is in
   * that segment or a later one, so a snapshot taken after it plus replay from that number is
   * complete.
   */
  public synchronized long cutSegment() {
    startSegment(segment + 1);
    epochStart = segment;
    defined.clear();
    return segment;
  }

  /** Deletes the segments numbered below {@code number} (never the one being written). */
  public void deleteSegmentsBefore(long number) {
    deleteWhere(number, Long.MAX_VALUE);
  }

  /**
   * Deletes the segments whose samples are all older than {@code cutoffMs}; returns how many.
   * Segments of the current definition epoch stay: later segments may need their definitions.
   */
  public int deleteSegmentsOlderThan(long cutoffMs) {
    long before;
    synchronized (this) {
      before = epochStart;
    }
    return deleteWhere(before, cutoffMs);
  }

  private int deleteWhere(long below, long cutoffMs) {
    int deleted = 0;
    for (Map.Entry<Long, Long> e : snapshotOfMaxTimes().entrySet()) {
      long number = e.getKey();
      if (number >= below || e.getValue() >= cutoffMs || !isClosedSegment(number)) {
        continue;
      }
      try {
        Files.deleteIfExists(Segments.path(dir, number));
        synchronized (this) {
          maxTimes.remove(number);
          metrics.segments.set(maxTimes.size() + 1);
        }
        deleted++;
      } catch (IOException ex) {
        log.warn("cannot delete write-ahead log segment {}: {}", Segments.path(dir, number), ex.toString());
      }
    }
    return deleted;
  }

  /** The finished segments with their latest sample times. */
  private synchronized TreeMap<Long, Long> snapshotOfMaxTimes() {
    return new TreeMap<>(maxTimes);
  }

  /** How many segment files the log has, the one being written included. */
  public synchronized int segmentCount() {
    return maxTimes.size() + 1;
  }

  /** Neither taking records nor open in the writer, nor waiting to be written. */
  private synchronized boolean isClosedSegment(long number) {
    return number < segment && number < pending.partSegment[0] && number < inFlightFirstSegment;
  }

  /** The segment records are appended to now. */
  public synchronized long currentSegment() {
    return segment;
  }

  /**
   * Adds what every batch holds to the shared buffer, then waits as promised. Every batch, not
   * only this thread's: a point the caller found already stored (a duplicate, which logs
   * nothing) may have its record still waiting in another request's batch, and the caller's
   * client is told it is stored.
   */
  @Override
  public void commit() throws IOException {
    for (int slot = 1; slot < batches.length; slot++) {
      Gathered batch = batches[slot];
      synchronized (batch) {
        flush(batch);
      }
    }
    synchronized (this) {
      long target = appended;
      if (durable() >= target) {
        return;
      }
      LockSupport.unpark(writer);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMMIT_TIMEOUT_MS);
      while (durable() < target) {
        if (failure != null) {
          throw new IOException("write-ahead log cannot write: " + failure.getMessage(), failure);
        }
        if (closed) {
          throw new IOException("write-ahead log is closed");
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new IOException("write-ahead log did not write within " + COMMIT_TIMEOUT_MS / 1000 + "s");
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for the write-ahead log");
        }
      }
    }
  }

  private long durable() {
    return settings.fsync() == Fsync.ALWAYS ? synced : written;
  }

  @Override
  public synchronized IOException failure() {
    return failure;
  }

  private void run() {
    long pauseMs = 10;
    while (true) {
      if (!awaitWork()) {
        return;
      }
      boolean last;
      synchronized (this) {
        if (!inFlight.hasWork(files.segment())) {
          Batch taken = pending;
          pending = inFlight;
          pending.reset(segment);
          inFlight = taken;
          inFlightBase = written;
          inFlightFirstSegment = taken.partSegment[0];
        }
        last = closed;
      }
      IOException error = null;
      boolean sync = false;
      try {
        files.write(inFlight);
        sync = settings.fsync() == Fsync.ALWAYS || (last && settings.fsync() != Fsync.OFF) || msToSync() <= 0;
        if (sync) {
          files.force();
        }
      } catch (IOException e) {
        error = e;
        metrics.writeErrors.inc();
      }
      synchronized (this) {
        // Parts written before a failure are written: waiters for them may go on.
        written = inFlightBase + inFlight.done;
        if (error == null) {
          if (sync) {
            synced = written;
          }
          if (failure != null) {
            log.info("write-ahead log writes again");
          }
          failure = null;
          inFlightFirstSegment = Long.MAX_VALUE;
        } else {
          if (failure == null) {
            log.warn("write-ahead log cannot write to {}: {}; OTLP exports get retry-later answers until it can",
                dir, error.toString());
          }
          failure = error;
        }
        notifyAll();
        if (last && (error != null || !hasWork())) {
          if (error != null) {
            log.error("write-ahead log closed with {} bytes it could not write", inFlight.data.size - inFlight.done);
          }
          closeFiles();
          return;
        }
        if (error != null) {
          try {
            wait(pauseMs);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
      pauseMs = error == null ? 10 : Math.min(MAX_RETRY_PAUSE_MS, pauseMs * 2);
    }
  }

  /**
   * Parks the writer until there is something to write or sync, or the log closes; false when
   * interrupted. Parked rather than waiting on the monitor: {@link #commit} wakes this thread
   * alone, where its notifyAll woke every request waiting in commit as well, each to find its
   * records not yet written and wait again (with four request threads, three needless wake-ups
   * per request).
   */
  private boolean awaitWork() {
    boolean wasIdle = false;
    while (true) {
      long idleMs;
      boolean idle;
      synchronized (this) {
        if (closed || hasWork() || syncDue()) {
          return true;
        }
        idle = settings.fsync() != Fsync.INTERVAL || synced >= written;
        if (idle && wasIdle) {
          pending.trimIdle();
          inFlight.trimIdle();
        }
        idleMs = idle ? IDLE_MS : Math.max(1, msToSync());
      }
      if (idle && wasIdle) {
        trimIdleBatches();
      }
      wasIdle = idle;
      LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(idleMs));
      if (Thread.interrupted()) {
        return false;
      }
    }
  }

  /**
   * Gives back what the batches of gatherings grew; called once the log has had nothing to write
   * or sync for {@link #IDLE_MS}, so that the buffers a burst of requests grew do not stay for good
   * (the shared buffers held 2 MB after loading a million series), while steady ingest, which
   * leaves the writer no such pause, keeps them. Not under the log's lock: a batch's lock comes first
   * (and the lock of all batches before it, as nothing takes it while holding a batch's).
   */
  private void trimIdleBatches() {
    synchronized (batches) { // a batch a request holds is left alone: between its flushes it holds nothing
      for (int slot = 1; slot < batches.length; slot++) {
        if ((batchesInUse & 1 << slot) == 0) {
          Gathered g = batches[slot];
          synchronized (g) {
            g.trimIdle();
          }
        }
      }
    }
  }

  /** Bytes the log's buffers take: the shared buffers and the batches of gatherings. */
  synchronized long bufferBytes() {
    long bytes = pending.data.bytes.length + (long) inFlight.data.bytes.length;
    for (int slot = 1; slot < batches.length; slot++) {
      bytes += batches[slot].capacity(); // a racy read, for tests
    }
    return bytes;
  }

  private boolean hasWork() {
    return inFlight.hasWork(files.segment()) || pending.hasWork(files.segment());
  }

  private boolean syncDue() {
    return settings.fsync() == Fsync.INTERVAL && synced < written && msToSync() <= 0;
  }

  /** Milliseconds until the next fsync with {@code fsync: interval}; never due otherwise. */
  private long msToSync() {
    if (settings.fsync() != Fsync.INTERVAL) {
      return Long.MAX_VALUE;
    }
    return settings.fsyncInterval().toMillis() - TimeUnit.NANOSECONDS.toMillis(files.nanosSinceSync());
  }

  private void closeFiles() {
    try {
      files.close();
    } catch (IOException e) {
      log.warn("closing write-ahead log segment: {}", e.toString());
    }
  }

  /** Writes (and forces) what is buffered, then stops the writer. */
  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    LockSupport.unpark(writer);
    writer.join(TimeUnit.SECONDS.toMillis(10));
  }

  /** A thread's record buffers, reused from record to record; one that grew for a large record shrinks back after it. */
  private static final class Framer {
    private static final int KEPT_BYTES = 64 << 10;
    final RecordBuffer body = new RecordBuffer(256);
    final RecordBuffer stateBytes = new RecordBuffer(64);
    final RecordBuffer framed = new RecordBuffer(256);
    final CRC32C crc = new CRC32C();
    /** The batch of this thread's open {@link WriteAheadLog#gather}ing, or null. */
    Gathered gathering;

    void addState(Object state, WriterStateCodec codec) {
      try {
        WalRecords.addState(body, state, codec, stateBytes);
      } catch (IOException e) {
        throw new IllegalStateException("writer state codec failed", e);
      }
    }

    void addCounterState(long startNanos, double lastValue, WriterStateCodec codec) {
      try {
        WalRecords.addCounterState(body, startNanos, lastValue, codec, stateBytes);
      } catch (IOException e) {
        throw new IllegalStateException("writer state codec failed", e);
      }
    }

    /** Gives back what a large record (a histogram of many buckets) made these buffers take. */
    void trim() {
      body.trimTo(KEPT_BYTES);
      stateBytes.trimTo(KEPT_BYTES);
      framed.trimTo(KEPT_BYTES);
    }
  }
}
