package io.tocsin.rules;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the engine in real time: a tick a few times a second starts the monitors whose next
 * bucket is complete (bucket end plus evaluation delay, aligned to the epoch) on a pool of
 * worker threads, and saves changed state. Ticking instead of one timer per monitor keeps
 * reloads and clock changes trivial; a tick where nothing is due costs a comparison per monitor.
 */
public final class MonitorScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MonitorScheduler.class);
  static final long TICK_MS = 200;

  private final MonitorEngine engine;
  private final Clock clock;
  private final ScheduledExecutorService ticker;
  private final ExecutorService workers;

  private MonitorScheduler(MonitorEngine engine, Clock clock) {
    this.engine = engine;
    this.clock = clock;
    this.ticker = Executors.newSingleThreadScheduledExecutor(named("monitor-scheduler"));
    this.workers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        named("monitor-eval-"));
  }

  public static MonitorScheduler start(MonitorEngine engine, Clock clock) {
    MonitorScheduler scheduler = new MonitorScheduler(engine, clock);
    scheduler.ticker.scheduleWithFixedDelay(scheduler::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
    return scheduler;
  }

  private void tick() {
    try {
      engine.evaluateDueAsync(clock.millis(), workers);
      engine.persistIfChanged();
    } catch (RuntimeException e) {
      log.error("monitor scheduling failed; will retry", e);
    }
  }

  /** Stops starting evaluations, lets running ones finish briefly, and saves the state (with the stop time). */
  @Override
  public void close() throws InterruptedException {
    // Not shutdownNow: interrupting a tick in the middle of saving state closes the file channel
    // under it (ClosedByInterruptException) and logs a failed save for a routine stop.
    ticker.shutdown();
    if (!ticker.awaitTermination(5, TimeUnit.SECONDS)) {
      ticker.shutdownNow();
    }
    workers.shutdown();
    if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
      workers.shutdownNow();
    }
    engine.persistOnStop();
  }

  private static ThreadFactory named(String name) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name.endsWith("-") ? name + n.incrementAndGet() : name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
