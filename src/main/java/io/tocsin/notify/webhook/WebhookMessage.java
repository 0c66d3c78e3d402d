package io.tocsin.notify.webhook;

import io.tocsin.notify.Alert;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of a webhook post: Alertmanager's webhook message, version 4, field for field and in
 * Alertmanager's order, so that receivers written for Alertmanager (chat bridges, ticketing,
 * incident tools) take Tocsin's posts as they are. Tocsin adds {@code title} and, per alert,
 * {@code value}, {@code threshold} and {@code message}, after the standard fields; decoders of
 * the standard message ignore unknown fields.
 *
 * <p>A notification is one monitor's alerts from one evaluation, so the group is the monitor:
 * {@code groupLabels} is {@code {alertname}} and {@code groupKey} is what Alertmanager's root
 * route with {@code group_by: [alertname]} would make of it.
 */
record WebhookMessage(
    String receiver,
    String status,
    List<WebhookAlert> alerts,
    Map<String, String> groupLabels,
    Map<String, String> commonLabels,
    Map<String, String> commonAnnotations,
    String externalURL,
    String version,
    String groupKey,
    int truncatedAlerts,
    String title) {

  /** What Alertmanager sends as {@code endsAt} for an alert that is still firing: Go's zero time. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  /**
   * One alert.
   *
   * @param startsAt when the alert fired, as Prometheus sends it; when it became pending if it
   *     never fired (for test messages)
   * @param value the current value, or null when there is none (absent data)
   * @param message the value, the threshold it crossed and since when, or for a resolution when
   *     and after how long, in the words every channel uses
   */
  record WebhookAlert(
      String status,
      Map<String, String> labels,
      Map<String, String> annotations,
      String startsAt,
      String endsAt,
      String generatorURL,
      String fingerprint,
      Double value,
      double threshold,
      String message) {}

  static WebhookMessage of(Notification n, String externalUrl) {
    List<WebhookAlert> alerts = n.alerts().stream().map(a -> alert(n, a)).toList();
    // One monitor's evaluation is the group a route with group_by: [alertname] makes; a route's group is its own.
    Map<String, String> groupLabels = n.route().isEmpty() ? Map.of("alertname", n.monitor()) : n.groupLabels();
    String groupKey = (n.route().isEmpty() ? "{}" : n.route()) + ":" + Messages.labels(groupLabels);
    return new WebhookMessage(n.channel(), n.status(), alerts, groupLabels, n.commonLabels(), commonAnnotations(n),
        externalUrl == null ? "" : externalUrl, "4", groupKey, 0, Messages.title(n));
  }

  private static WebhookAlert alert(Notification n, Alert a) {
    long startsAt = a.firedAt() > 0 ? a.firedAt() : a.activeAt();
    String endsAt = ZERO_TIME;
    if (a.isResolved()) {
      endsAt = time(a.resolvedAt() > 0 ? a.resolvedAt() : a.at());
    }
    return new WebhookAlert(a.isResolved() ? "resolved" : "firing", n.labelsOf(a), new TreeMap<>(a.annotations()),
        time(startsAt), endsAt, n.sourceOf(a).link(), a.fingerprint(), Double.isNaN(a.value()) ? null : a.value(),
        a.threshold(), Messages.describe(n, a));
  }

  /** The annotations every alert has with the same value, as Alertmanager computes them. */
  private static Map<String, String> commonAnnotations(Notification n) {
    Map<String, String> common = null;
    for (Alert alert : n.alerts()) {
      if (common == null) {
        common = new TreeMap<>(alert.annotations());
      } else {
        common.entrySet().removeIf(e -> !e.getValue().equals(alert.annotations().get(e.getKey())));
      }
    }
    return common == null ? Map.of() : common;
  }

  /** RFC 3339 in UTC, with milliseconds only when there are any: {@code 2026-03-01T12:00:00Z}. */
  static String time(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}
