package io.tocsin.notify;

import java.time.Duration;
import java.util.Optional;

/**
 * What the members of a cluster delivered, so that each alert reaches a channel once although
 * every member evaluates every monitor (Alertmanager's HA algorithm): a member holds a new
 * notification for its position in the view times the peer timeout, then sends only the alerts
 * no member delivered yet, and records what the channel accepted for the others to see.
 *
 * <p>An alert's identity in the log is its channel, monitor, fingerprint, event type and the
 * event's time (the end of the bucket of its transition), so a repeat or a new episode of the
 * same alert is a new entry.
 */
public interface NotificationLog {
  /** A single process: no hold, nothing delivered by anyone else, nothing to record. */
  NotificationLog ALONE = new NotificationLog() {
    @Override
    public Duration hold() {
      return Duration.ZERO;
    }

    @Override
    public Optional<String> deliveredBy(Notification notification, Alert alert) {
      return Optional.empty();
    }

    @Override
    public void delivered(Notification notification) {}
  };

  /**
   * How long this member holds a new notification before its first attempt: zero on the first
   * member of the view, so that it adds no latency; the peer timeout times its position on others.
   */
  Duration hold();

  /** The member that already delivered {@code alert} of {@code notification} to its channel, if any. */
  Optional<String> deliveredBy(Notification notification, Alert alert);

  /** Records that the channel accepted every alert of {@code notification}, and tells the peers. */
  void delivered(Notification notification);
}
