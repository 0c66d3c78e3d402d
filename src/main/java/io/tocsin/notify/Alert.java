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
 * @param source the monitor the alert is of, on the alerts of an aggregating route's notification,
 *     which may span monitors; null when the alert is of the notification's own monitor
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
    String severity,
    Source source) {

  /**
   * The monitor an alert is of, as the notification of one monitor describes it.
   *
   * @param link the monitor's page on the status page
   */
  public record Source(String monitorId, String monitor, Map<String, String> monitorLabels, String unit,
      String link) {
    public Source {
      monitorLabels = Map.copyOf(monitorLabels);
      unit = unit == null ? "" : unit;
    }
  }

  public Alert {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    reason = reason == null ? "" : reason;
    severity = severity == null ? "" : severity;
  }

  /** An alert of the notification's own monitor, which has no levels. */
  public Alert(AlertEvent.Type status, Map<String, String> labels, Map<String, String> annotations, double value,
      double threshold, long activeAt, long firedAt, long resolvedAt, long at, String fingerprint, String reason) {
    this(status, labels, annotations, value, threshold, activeAt, firedAt, resolvedAt, at, fingerprint, reason, "");
  }

  /** An alert of the notification's own monitor at level {@code severity} (empty without levels). */
  public Alert(AlertEvent.Type status, Map<String, String> labels, Map<String, String> annotations, double value,
      double threshold, long activeAt, long firedAt, long resolvedAt, long at, String fingerprint, String reason,
      String severity) {
    this(status, labels, annotations, value, threshold, activeAt, firedAt, resolvedAt, at, fingerprint, reason,
        severity, null);
  }

  /**
   * This alert resolved at its level {@code level}, which it left at {@code at} for a lower
   * level (or resolved from a higher one): what a channel that takes only that level is told.
   */
  public Alert resolvedAt(String level, long at) {
    boolean deescalated = status != AlertEvent.Type.RESOLVED;
    return new Alert(AlertEvent.Type.RESOLVED, labels, annotations, value, threshold, activeAt, firedAt,
        deescalated ? at : resolvedAt, at, fingerprint, deescalated ? "deescalated" : reason, level, source);
  }

  /** This alert as another event of it: a group resends a firing alert as a repeat at its own time. */
  public Alert as(AlertEvent.Type newStatus, long newAt) {
    return new Alert(newStatus, labels, annotations, value, threshold, activeAt, firedAt, resolvedAt, newAt,
        fingerprint, reason, severity, source);
  }

  /** This alert of {@code monitor}. */
  public Alert of(Source monitor) {
    return new Alert(status, labels, annotations, value, threshold, activeAt, firedAt, resolvedAt, at, fingerprint,
        reason, severity, monitor);
  }

  public boolean isResolved() {
    return status == AlertEvent.Type.RESOLVED;
  }
}
