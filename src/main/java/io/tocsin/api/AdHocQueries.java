package io.tocsin.api;

import io.tocsin.config.ServerConfig;
import io.tocsin.query.eval.Query;
import io.tocsin.query.eval.QueryBudget;
import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.query.eval.QueryResult;
import io.tocsin.store.BucketGrid;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Evaluates the queries the API is asked for (ad-hoc queries, monitor charts) on a small pool
 * of their own, within the limits of {@code query:} in {@code tocsin.yml}: however large, they
 * cannot take the threads of monitor evaluation or delivery, and what they may allocate is
 * bounded. When every thread is busy and the queue is full, a query is refused at once.
 */
final class AdHocQueries implements AutoCloseable {
  /** How long past its timeout a query that does not stop by itself is waited for. */
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** Every thread busy and every place in the queue taken. */
  static final class Busy extends Exception {
    private static final long serialVersionUID = 1L;

    Busy(String message) {
      super(message, null, false, false);
    }
  }

  private final QueryEvaluator evaluator;
  private final ServerConfig.Query config;
  private final QueryBudget.Limits limits;
  private final ThreadPoolExecutor pool;

  AdHocQueries(QueryEvaluator evaluator, ServerConfig.Query config) {
    this.evaluator = evaluator;
    this.config = config;
    this.limits = new QueryBudget.Limits(config.maxPointsScanned(), config.maxResultPoints(), config.timeout());
    BlockingQueue<Runnable> queue = config.maxQueued() == 0 ? new SynchronousQueue<>()
        : new ArrayBlockingQueue<>(config.maxQueued());
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(config.maxConcurrent(), config.maxConcurrent(), 0, TimeUnit.MILLISECONDS, queue,
        runnable -> {
          Thread thread = new Thread(runnable, "adhoc-query-" + n.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Evaluates {@code query} over {@code grid}. Over a limit is a {@link
   * io.tocsin.query.eval.QueryLimitException}, a bad query a {@link io.tocsin.query.QueryException}.
   */
  QueryResult evaluate(Query query, BucketGrid grid) throws Busy, InterruptedException {
    long start = System.nanoTime();
    // The clock starts now: time spent waiting in the queue counts, so the client's wait is bounded.
    QueryBudget budget = QueryBudget.start(limits, start, grid.count(), Duration.ofMillis(grid.stepMs()));
    Future<QueryResult> result;
    try {
      result = pool.submit(() -> evaluator.evaluate(query, grid, budget));
    } catch (RejectedExecutionException e) {
      throw new Busy("too many ad-hoc queries at once: " + config.maxConcurrent() + " running and "
          + config.maxQueued() + " waiting (query.max_concurrent, query.max_queued); retry later");
    }
    try {
      return result.get(limits.timeout().toNanos() + GRACE_NANOS - (System.nanoTime() - start), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      result.cancel(true);
      throw QueryBudget.timedOut(limits);
    } catch (InterruptedException e) {
      result.cancel(true);
      throw e;
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
