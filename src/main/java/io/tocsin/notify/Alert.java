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
 * @param reason why it resolved: empty, or {@code no_data}
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
  }

  /** An alert of the notification's own monitor. */
  public Alert(AlertEvent.Type status, Map<String, String> labels, Map<String, String> annotations, double value,
      double threshold, long activeAt, long firedAt, long resolvedAt, long at, String fingerprint, String reason) {
    this(status, labels, annotations, value, threshold, activeAt, firedAt, resolvedAt, at, fingerprint, reason, null);
  }

  /** This alert as another event of it: a group resends a firing alert as a repeat at its own time. */
  public Alert as(AlertEvent.Type newStatus, long newAt) {
    return new Alert(newStatus, labels, annotations, value, threshold, activeAt, firedAt, resolvedAt, newAt,
        fingerprint, reason, source);
  }

  /** This alert of {@code monitor}. */
  public Alert of(Source monitor) {
    return new Alert(status, labels, annotations, value, threshold, activeAt, firedAt, resolvedAt, at, fingerprint,
        reason, monitor);
  }

  public boolean isResolved() {
    return status == AlertEvent.Type.RESOLVED;
  }
}
