package io.tocsin.notify;

import io.tocsin.rules.AlertEvent;
import java.util.Map;

/**
 * One alert as a notification carries it: a group of a monitor that started firing, is still
 * firing, or resolved. Plain data, so that it can wait in the outbox and survive restarts; the
 * annotations are already rendered (as plain text: every channel escapes them for its format).
 *
 * @param labels the group's labels, sorted by key
 * @param fingerprint a stable id of the monitor and group, the same for every event of the alert
 * @param at when the event happened; times are Unix milliseconds, 0 when not applicable
 * @param reason why it resolved: empty, {@code no_data}, or {@code deescalated} (it left this
 *     channel's level {@code severity} for a lower one that this channel's routes do not take)
 * @param severity the monitor's level the alert is at, carried as the {@code severity} label
 *     (not part of {@code labels}: the fingerprint and incident keys stay the same at every
 *     level); empty for a monitor without levels
 */
public record Alert(
    AlertEvent.Type status,
    Map<String, String> labels,
    Map<String, String> annotations,
    double value,
    double threshold,
    long activeAt,
    long firedAt,
    long resolvedAt,
    long at,
    String fingerprint,
    String reason,
    String severity) {

  public Alert {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    reason = reason == null ? "" : reason;
    severity = severity == null ? "" : severity;
  }

  /** An alert of a monitor without levels. */
  public Alert(AlertEvent.Type status, Map<String, String> labels, Map<String, String> annotations, double value,
      double threshold, long activeAt, long firedAt, long resolvedAt, long at, String fingerprint, String reason) {
    this(status, labels, annotations, value, threshold, activeAt, firedAt, resolvedAt, at, fingerprint, reason, "");
  }

  /**
   * This alert resolved at its level {@code level}, which it left at {@code at} for a lower
   * level (or resolved from a higher one): what a channel that takes only that level is told.
   */
  public Alert resolvedAt(String level, long at) {
    boolean deescalated = status != AlertEvent.Type.RESOLVED;
    return new Alert(AlertEvent.Type.RESOLVED, labels, annotations, value, threshold, activeAt, firedAt,
        deescalated ? at : resolvedAt, at, fingerprint, deescalated ? "deescalated" : reason, level);
  }

  public boolean isResolved() {
    return status == AlertEvent.Type.RESOLVED;
  }
}
