package io.tocsin.store;

import java.io.IOException;

/**
 * Where the store reports every change to a series as it makes it, so that a write-ahead log can
 * bring the series back after a restart. The store calls it while holding the series' lock,
 * which makes each series' records in the log come in the order its samples went into memory.
 *
 * <p>Why a hook in the store rather than calls from ingest: every append and every change of
 * {@link Series#writerState} goes through {@link Series}, whoever makes it, so nothing can reach
 * memory without reaching the log, and the store needs no knowledge of ingest (the writer state
 * is turned into bytes by a {@link WriterStateCodec} that ingest supplies when wiring).
 */
public interface AppendLog {
  /** Does nothing: the store lives in memory only. */
  AppendLog NONE = new AppendLog() {
    @Override
    public void sample(Series series, long timeMs, double value) {}

    @Override
    public void sample(Series series, long timeMs, double value, Object state) {}

    @Override
    public void counterSample(Series series, long timeMs, double value, long startNanos, double lastValue) {}

    @Override
    public void histogram(Series series, long timeMs, HistogramSample sample) {}

    @Override
    public void histogram(Series series, long timeMs, HistogramSample sample, Object state) {}

    @Override
    public void writerState(Series series, Object state) {}

    @Override
    public void commit() {}

    @Override
    public IOException failure() {
      return null;
    }
  };

  /** Ends a {@link #gather}: adds what it gathered to the log, without waiting for a write. */
  interface Gathering extends AutoCloseable {
    /** Gathers nothing: records go to the log one by one. */
    Gathering NONE = () -> {};

    @Override
    void close();
  }

  /**
   * Until the returned gathering closes, gathers the records this thread reports into one batch
   * added to the log at once (or when it grows large), instead of taking the log's shared buffer
   * once per record: a request's points go in one step. Each series' records still reach the
   * log in memory order (a log keeps that as it likes, with {@link Series#logBatch}), and {@link
   * #commit} still covers everything reported so far by any thread. Close it once, on the thread
   * that opened it; nested calls gather into the outer batch.
   */
  default Gathering gather() {
    return Gathering.NONE;
  }

  /** {@code value} was appended to {@code series} at {@code timeMs}. */
  void sample(Series series, long timeMs, double value);

  /**
   * {@code value} was appended to {@code series} at {@code timeMs} and the series' writer state
   * became {@code state} (null: cleared) with it, in one step: a cumulative counter's point.
   */
  void sample(Series series, long timeMs, double value, Object state);

  /**
   * Like {@link #sample(Series, long, double, Object)} with a {@link CounterState} of {@code
   * startNanos} and {@code lastValue}, which a {@link CounterSeries} keeps in fields of its own:
   * the log writes it as its codec writes that state ({@link WriterStateCodec#writeCounter}).
   */
  void counterSample(Series series, long timeMs, double value, long startNanos, double lastValue);

  /** {@code sample} (null: a stale marker) was appended to histogram {@code series}. */
  void histogram(Series series, long timeMs, HistogramSample sample);

  /** Like {@link #histogram(Series, long, HistogramSample)}, and the writer state became {@code state} with it. */
  void histogram(Series series, long timeMs, HistogramSample sample, Object state);

  /** The series' writer state became {@code state} (null: cleared). */
  void writerState(Series series, Object state);

  /**
   * Waits until everything reported so far is as durable as the log promises (written, or synced
   * too); an {@link IOException} when it cannot be written now, and the client should retry.
   */
  void commit() throws IOException;

  /** Why the log cannot write at the moment, or null when it can. */
  IOException failure();
}
