package io.tocsin.notify.log;

import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per alert to the {@code alerts} logger (stdout by default), for example {@code
 * firing monitor="Redis shard is down" labels={node="n1"} value=0 threshold=1
 * active_at=2026-03-01T12:00:00Z}, at most {@link #LOGGED_ALERTS} of a notification and then one
 * line counting the others: a storm of a hundred thousand groups is not a hundred thousand lines.
 * The channel every monitor uses when no channel is declared.
 */
public final class LogNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger("alerts");
  public static final ChannelType<Void> TYPE = new ChannelType<>("log", Set.of(), settings -> null,
      (config, context) -> new LogNotifier());

  /** Alerts of one notification written out; the rest are counted in one more line. */
  static final int LOGGED_ALERTS = 100;

  @Override
  public Delivery send(Notification notification) {
    List<Alert> alerts = notification.alerts();
    for (Alert alert : alerts.subList(0, Math.min(alerts.size(), LOGGED_ALERTS))) {
      log.info("{}", line(notification, alert));
    }
    if (alerts.size() > LOGGED_ALERTS) {
      log.info("{}", more(notification, alerts.subList(LOGGED_ALERTS, alerts.size())));
    }
    return Delivery.sent("logged " + alerts.size() + " alerts");
  }

  /** {@code and 2900 more monitor="Redis shard is down" firing=2800 resolved=100}. */
  static String more(Notification n, List<Alert> rest) {
    long resolved = rest.stream().filter(Alert::isResolved).count();
    return "and " + rest.size() + " more monitor=\"" + n.monitor().replace("\"", "\\\"") + "\" firing="
        + (rest.size() - resolved) + " resolved=" + resolved;
  }

  static String line(Notification n, Alert alert) {
    StringBuilder sb = new StringBuilder(n.test() ? "test" : alert.status().id())
        .append(" monitor=\"").append(n.sourceOf(alert).monitor().replace("\"", "\\\"")).append('"')
        .append(" labels=").append(Messages.labels(alert.labels()))
        .append(" value=").append(Messages.number(alert.value()))
        .append(n.sourceOf(alert).unit().isEmpty() ? "" : " unit=" + n.sourceOf(alert).unit())
        .append(" threshold=").append(Messages.number(alert.threshold()))
        .append(" active_at=").append(Instant.ofEpochMilli(alert.activeAt()));
    if (alert.isResolved()) {
      sb.append(" resolved_at=").append(Instant.ofEpochMilli(alert.resolvedAt()));
      if (alert.firedAt() > 0) {
        sb.append(" fired_for=").append(Messages.firedFor(alert));
      }
      if (!alert.reason().isEmpty()) {
        sb.append(" reason=").append(alert.reason());
      }
    }
    return sb.toString();
  }
}
