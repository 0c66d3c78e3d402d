package io.tocsin.rules;

import io.tocsin.store.Labels;
import java.util.List;
import java.util.Locale;

/**
 * A change worth telling people about: a group started firing, is still firing after the repeat
 * interval, moved to another severity level, or resolved. Times are Unix milliseconds.
 *
 * @param at when the event happened (the end of the bucket that caused it)
 * @param threshold the threshold the value crossed (for resolved: the one it had crossed)
 * @param reason why a group resolved: empty, or {@code no_data} when its data stopped
 * @param severity with {@code levels:}, the level the alert is at (for a resolution, the one it
 *     resolved from); empty without, and then alerts carry no {@code severity} label
 * @param left with levels, the levels the alert left with this event (de-escalated below them or
 *     resolved) that were told about it: routes that take the alert at such a level but not at
 *     {@code severity} must hear it resolve there
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
    String reason,
    String severity,
    List<String> left) {

  public AlertEvent {
    severity = severity == null ? "" : severity;
    left = left == null ? List.of() : List.copyOf(left);
  }

  /** An event of a monitor without levels. */
  public AlertEvent(Type type, String monitorId, String monitor, Labels labels, double value, double threshold,
      long activeAt, long firedAt, long resolvedAt, long at, String reason) {
    this(type, monitorId, monitor, labels, value, threshold, activeAt, firedAt, resolvedAt, at, reason, "", List.of());
  }

  /** A stable id of the alert: the same for every event of one monitor's group. */
  public String fingerprint() {
    return fingerprint(monitorId, labels);
  }

  /**
   * {@code <monitor id>-<16 hex digits>}: the monitor's id and a 64-bit FNV-1a hash of the
   * group's labels, so an alert keeps its id across restarts.
   */
  public static String fingerprint(String monitorId, Labels labels) {
    long h = 0xcbf29ce484222325L;
    String text = labels.toString();
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return monitorId + "-" + String.format(Locale.ROOT, "%016x", h);
  }

  /**
   * The kinds of event; pending is never one. {@code ESCALATED} and {@code DEESCALATED}: a firing
   * alert moved to a higher or a lower severity level; they fire like {@code FIRING}.
   */
  public enum Type {
    FIRING, REPEAT, RESOLVED, ESCALATED, DEESCALATED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
