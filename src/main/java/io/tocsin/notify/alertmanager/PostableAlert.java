package io.tocsin.notify.alertmanager;

import io.tocsin.notify.Alert;
import io.tocsin.notify.Notification;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One element of the body of Alertmanager's {@code POST /api/v2/alerts}, its {@code
 * postableAlert}. Alertmanager identifies an alert by its labels, keeps the earliest {@code
 * startsAt} it was told, and considers the alert resolved once {@code endsAt} has passed.
 */
record PostableAlert(Map<String, String> labels, Map<String, String> annotations, String startsAt, String endsAt,
    String generatorURL) {

  /**
   * What this channel remembers of an alert it told Alertmanager is firing: everything needed to
   * post it again with a later {@code endsAt}. Times are Unix milliseconds.
   */
  record Firing(String fingerprint, Map<String, String> labels, Map<String, String> annotations, long startsAt,
      String generatorURL) {

    Firing {
      labels = new TreeMap<>(labels);
      annotations = new TreeMap<>(annotations);
    }

    /**
     * The alert's labels are the monitor name as {@code alertname}, the monitor's labels and the
     * group's; it starts when it fired, as Prometheus sends {@code startsAt}, or when it became
     * pending if it never fired (test messages).
     */
    static Firing of(Notification n, Alert alert) {
      long startsAt = alert.firedAt() > 0 ? alert.firedAt() : alert.activeAt();
      return new Firing(alert.fingerprint(), n.labelsOf(alert), alert.annotations(), startsAt,
          n.sourceOf(alert).link());
    }

    PostableAlert until(long endsAtMillis) {
      return new PostableAlert(labels, annotations, time(startsAt), time(endsAtMillis), generatorURL);
    }
  }

  /** RFC 3339 in UTC: {@code 2026-03-01T12:00:00Z}. */
  static String time(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}
