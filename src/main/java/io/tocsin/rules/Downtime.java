package io.tocsin.rules;

/**
 * The time before this process started during which no data could arrive: from the last moment
 * the previous process is known to have been alive to this process's start. A bucket the
 * downtime touches and that has no value for a group tells nothing about that group's source,
 * so it neither breaches nor clears, whatever {@code absent_points} says, and it is not counted
 * as silence for dropping the group.
 *
 * <p>A bucket is touched when it starts before this process started and was not yet due (its end
 * plus the evaluation delay, for late exports) when the previous process was last alive. With a
 * store that starts empty, nothing from before the start was kept: {@code fromMs} is then
 * {@link Long#MIN_VALUE} and every bucket that starts before the start is downtime.
 *
 * @param fromMs when the previous process was last known alive (Unix ms), or {@link Long#MIN_VALUE}
 * @param toMs when this process started (Unix ms)
 */
record Downtime(long fromMs, long toMs) {

  /** No downtime: every bucket is what the data says. */
  static final Downtime NONE = new Downtime(Long.MIN_VALUE, Long.MIN_VALUE);

  /** The downtime of a process whose store starts empty: everything before its start is lost. */
  static Downtime before(long startedMs) {
    return new Downtime(Long.MIN_VALUE, startedMs);
  }

  /** Whether the store kept what it held before the downtime (a recovered write-ahead log). */
  boolean keptWindow() {
    return fromMs != Long.MIN_VALUE;
  }

  /** Whether a bucket {@code [startMs, endMs)}, due {@code delayMs} after its end, falls into the downtime. */
  boolean covers(long startMs, long endMs, long delayMs) {
    return startMs < toMs && (fromMs == Long.MIN_VALUE || endMs + delayMs > fromMs);
  }

  /**
   * How much of {@code [from, to)}, bucket boundaries of a monitor with {@code intervalMs} and
   * {@code delayMs}, lies in buckets the downtime {@link #covers}.
   */
  long overlap(long from, long to, long intervalMs, long delayMs) {
    if (toMs == Long.MIN_VALUE) {
      return 0;
    }
    long first = fromMs == Long.MIN_VALUE ? Long.MIN_VALUE : Math.floorDiv(fromMs - delayMs, intervalMs) * intervalMs;
    long last = Math.floorDiv(toMs + intervalMs - 1, intervalMs) * intervalMs;
    return Math.max(0, Math.min(to, last) - Math.max(from, first));
  }
}
