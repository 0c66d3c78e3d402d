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
    String reason) {

  public Alert {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    reason = reason == null ? "" : reason;
  }

  public boolean isResolved() {
    return status == AlertEvent.Type.RESOLVED;
  }
}
