package io.tocsin.rules;

import io.tocsin.store.Labels;
import java.util.Locale;

/**
 * A change worth telling people about: a group started firing, is still firing after the repeat
 * interval, or resolved. Times are Unix milliseconds.
 *
 * @param at when the event happened (the end of the bucket that caused it)
 * @param threshold the threshold the value crossed (for resolved: the one it had crossed)
 * @param reason why a group resolved: empty, or {@code no_data} when its data stopped
 */
public record AlertEvent(
    Type type,
    String monitorId,
    String monitor,
    Labels labels,
    double value,
    double threshold,
    long activeAt,
    long firedAt,
    long resolvedAt,
    long at,
    String reason) {

  /** The kinds of event; pending is never one. */
  public enum Type {
    FIRING, REPEAT, RESOLVED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
