package io.tocsin.query.eval;

import io.tocsin.util.Durations;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one ad-hoc evaluation may spend: points read from the store, points built (groups ×
 * buckets, intermediate results included) and time. Every charge is made before the memory it
 * stands for is allocated, and a charge over a limit is a {@link QueryLimitException}; the
 * deadline (and an interrupt) is checked with each series scanned and each group built, so an
 * evaluation stops soon after it runs out. Monitors evaluate with {@link #UNLIMITED}.
 */
public final class QueryBudget {
  /** The limits of {@code query:} in {@code tocsin.yml}. */
  public record Limits(long maxPointsScanned, long maxResultPoints, Duration timeout) {}

  /** For monitors: charges nothing, and lets evaluation share work among threads and queries. */
  public static final QueryBudget UNLIMITED = new QueryBudget(null, 0, 0, Duration.ZERO);

  private final Limits limits;
  private final long deadlineNanos;
  private final int buckets;
  private final Duration step;
  private final AtomicLong scanned = new AtomicLong();
  private final AtomicLong built = new AtomicLong();

  private QueryBudget(Limits limits, long deadlineNanos, int buckets, Duration step) {
    this.limits = limits;
    this.deadlineNanos = deadlineNanos;
    this.buckets = buckets;
    this.step = step;
  }

  /**
   * A budget for an evaluation over {@code buckets} buckets of {@code step} whose time started at
   * {@code startNanos} ({@link System#nanoTime}). Refuses at once a grid that not even one group
   * would fit in.
   */
  public static QueryBudget start(Limits limits, long startNanos, int buckets, Duration step) {
    QueryBudget budget = new QueryBudget(limits, startNanos + limits.timeout().toNanos(), buckets, step);
    if (buckets > limits.maxResultPoints()) {
      throw budget.tooManyPoints();
    }
    return budget;
  }

  boolean unlimited() {
    return limits == null;
  }

  /** Charges the samples of one series just read. */
  void scanned(int points) {
    if (limits == null) {
      return;
    }
    if (scanned.addAndGet(points) > limits.maxPointsScanned()) {
      throw new QueryLimitException("max_points_scanned", limits.maxPointsScanned(), "the query reads more than "
          + limits.maxPointsScanned() + " points from the store (query.max_points_scanned); narrow it: a shorter "
          + "range, or a where filter that selects fewer series");
    }
    checkDeadline();
  }

  /** Charges a group (or an intermediate result) of {@code points} values, before it is allocated. */
  void building(int points) {
    if (limits == null) {
      return;
    }
    if (built.addAndGet(points) > limits.maxResultPoints()) {
      throw tooManyPoints();
    }
    checkDeadline();
  }

  /** Throws once the time is up or the evaluation was cancelled. */
  void checkDeadline() {
    if (limits == null) {
      return;
    }
    if (System.nanoTime() - deadlineNanos > 0 || Thread.currentThread().isInterrupted()) {
      throw timedOut(limits);
    }
  }

  /** The error of a query that did not finish within {@code limits.timeout()}. */
  public static QueryLimitException timedOut(Limits limits) {
    return new QueryLimitException("timeout", Durations.format(limits.timeout()), "the query took longer than "
        + Durations.format(limits.timeout()) + " (query.timeout) and was cancelled; narrow it: a shorter range, a "
        + "larger interval, fewer group by attributes, or a where filter that selects fewer series");
  }

  private QueryLimitException tooManyPoints() {
    return new QueryLimitException("max_result_points", limits.maxResultPoints(), "the query builds more than "
        + limits.maxResultPoints() + " points (query.max_result_points), counted as groups × " + buckets
        + " buckets of " + Durations.format(step) + "; narrow it: a larger interval, a shorter range, fewer group by "
        + "attributes, or a where filter");
  }
}
