package io.tocsin.notify;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Sends a notification one request per alert, as incident tools take them (one PagerDuty event,
 * one Opsgenie alert per group), and remembers which alerts the service accepted, so that a retry
 * after a 429 halfway through sends only the rest. The first retryable answer stops the round (the
 * service asked to slow down); an alert refused for good is reported and not sent again, and the
 * others still go out. Remembered in memory only: after a restart everything is sent again, which
 * both services take as a duplicate of the open incident.
 */
public final class PerAlertSender {
  private String notificationId;
  private final Set<String> accepted = new HashSet<>();
  private final List<String> refused = new ArrayList<>();

  /**
   * Synchronized: test messages are sent from the API's thread, next to the channel's worker.
   *
   * @param sendOne sends one alert, never throwing for a delivery problem
   */
  public synchronized Delivery send(Notification n, Function<Alert, Delivery> sendOne) {
    if (n.test()) {
      // Sent on request, outside the queue: a sender of its own, so the worker's notification keeps its progress.
      return new PerAlertSender().sendRest(n, sendOne);
    }
    return sendRest(n, sendOne);
  }

  private Delivery sendRest(Notification n, Function<Alert, Delivery> sendOne) {
    if (!n.id().equals(notificationId)) {
      notificationId = n.id();
      accepted.clear();
      refused.clear();
    }
    Delivery last = null;
    for (Alert alert : n.alerts()) {
      String id = alert.fingerprint() + " " + alert.status();
      if (accepted.contains(id)) {
        continue;
      }
      Delivery delivery = sendOne.apply(alert);
      if (delivery.outcome() == Delivery.Outcome.RETRY) {
        String done = accepted.isEmpty() && refused.isEmpty() ? "" : (accepted.size() + refused.size()) + " of "
            + n.alerts().size() + " alerts done; ";
        return Delivery.retry(done + delivery.detail(), delivery.retryAfter());
      }
      accepted.add(id); // sent, or refused for good: either way not sent again
      if (delivery.outcome() == Delivery.Outcome.FAILED) {
        refused.add(Messages.labels(alert.labels()) + ": " + delivery.detail());
      }
      last = delivery;
    }
    int total = n.alerts().size();
    String prefix = total == 1 ? "" : total + " alerts: ";
    Delivery result;
    if (total == 1 && !refused.isEmpty()) {
      result = Delivery.failed(last.detail());
    } else if (!refused.isEmpty()) {
      // The first three say why; the rest are most likely refused for the same reason.
      result = Delivery.failed(refused.size() + " of " + total + " alerts refused: "
          + String.join("; ", refused.subList(0, Math.min(3, refused.size()))));
    } else {
      result = Delivery.sent(prefix + (last == null ? "nothing left to send" : last.detail()));
    }
    notificationId = null;
    return result;
  }
}
