package io.tocsin.notify.log;

import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per alert to the {@code alerts} logger (stdout by default), for example {@code
 * firing monitor="Redis shard is down" labels={node="n1"} value=0 threshold=1
 * active_at=2026-03-01T12:00:00Z}. The channel every monitor uses when no channel is declared.
 */
public final class LogNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger("alerts");
  public static final ChannelType<Void> TYPE = new ChannelType<>("log", Set.of(), settings -> null,
      (config, context) -> new LogNotifier());

  @Override
  public Delivery send(Notification notification) {
    for (Alert alert : notification.alerts()) {
      log.info("{}", line(notification, alert));
    }
    return Delivery.sent("logged " + notification.alerts().size() + " alerts");
  }

  static String line(Notification n, Alert alert) {
    StringBuilder sb = new StringBuilder(n.test() ? "test" : alert.status().id())
        .append(" monitor=\"").append(n.monitor().replace("\"", "\\\"")).append('"')
        .append(" labels=").append(Messages.labels(alert.labels()))
        .append(" value=").append(Messages.number(alert.value()))
        .append(n.unit().isEmpty() ? "" : " unit=" + n.unit())
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
