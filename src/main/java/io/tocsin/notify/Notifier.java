package io.tocsin.notify;

import java.time.Duration;

/**
 * Sends notifications to one channel. Implementations do not retry or queue: the {@link
 * ChannelWorker} does that, guided by the {@link Delivery} each send returns. A send never
 * throws for a delivery problem; it says whether trying again could help. Anything unexpected
 * it lets through, and the worker retries it.
 */
public interface Notifier {

  Delivery send(Notification notification);

  /** The least time between two sends, to stay within the service's published rate limits. */
  default Duration minInterval() {
    return Duration.ZERO;
  }

  /**
   * Called now and then (every few seconds) from the channel's worker; for channels that must
   * refresh something on their own schedule, such as Alertmanager's alert expiry.
   */
  default void tick(long nowMs) {}
}
