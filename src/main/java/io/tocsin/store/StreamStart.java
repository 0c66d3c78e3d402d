package io.tocsin.store;

/**
 * When a cumulative stream began (OTLP's start time, 0 when the sender gives none); one instance
 * per recent start time ({@link #of}), so that the counters of one exporting process, which all
 * began together, share it.
 */
public record StreamStart(long nanos) {
  private static final int SLOTS = 1 << 10;
  /** Recent starts by hash. Racing threads may each make one: a duplicate costs 24 bytes, nothing else. */
  private static final StreamStart[] RECENT = new StreamStart[SLOTS];

  public static StreamStart of(long nanos) {
    int slot = Long.hashCode(nanos * 0x9E3779B97F4A7C15L) & (SLOTS - 1);
    StreamStart recent = RECENT[slot];
    if (recent != null && recent.nanos == nanos) {
      return recent;
    }
    return RECENT[slot] = new StreamStart(nanos);
  }
}
