package io.tocsin.notify;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one channel's notifications in order: retries what may succeed later with backoff,
 * gives up after {@code giveUpAfter}, drops what failed for good, and keeps to the channel's
 * rate limit. Each channel has its own worker (and in {@code serve}, its own thread), so a slow
 * or failing channel delays only itself.
 *
 * <p>A notifier that throws (a bug, or an answer its client library cannot read) is retried
 * here like any transient failure, until {@code giveUpAfter}: one rule for every channel, so no
 * notifier catches {@link RuntimeException} to decide on its own.
 *
 * <p>In a cluster, the {@link NotificationLog} decides what is left to send: a new notification
 * waits for this member's hold, and before every attempt the alerts a peer already delivered are
 * taken out; a notification with none left is dropped as a duplicate.
 *
 * <p>Only one thread delivers ({@link #deliverDue}); others only {@link #add}. Sends happen
 * outside the lock, so adding never waits for a network call.
 */
final class ChannelWorker {
  private static final Logger log = LoggerFactory.getLogger(ChannelWorker.class);
  private static final long TICK_MS = 5_000;

  /** What happens to deliveries, for the history and the metrics. */
  interface Listener {
    void attempted(Notification notification, Delivery delivery, int attempt);

    void gaveUp(Notification notification, int attempts);

    /** Dropped before an attempt because {@code by} (members' names) delivered all its alerts. */
    void deduplicated(Notification notification, String by);
  }

  private static final class Pending {
    final Outbox.Entry entry;
    int attempts;
    long nextAttemptAt;

    Pending(Outbox.Entry entry) {
      this.entry = entry;
    }
  }

  private final Outbox outbox;
  private final Clock clock;
  private final Backoff backoff;
  private final Duration giveUpAfter;
  private final Listener listener;
  private final NotificationLog notificationLog;
  private final Deque<Pending> queue = new ArrayDeque<>();
  private volatile Channel channel;
  private long lastSendAt = Long.MIN_VALUE / 2;
  private long lastTickAt = Long.MIN_VALUE / 2;
  private boolean signalled;
  private volatile boolean stopped;
  private Thread thread;

  ChannelWorker(Channel channel, Outbox outbox, Clock clock, Backoff backoff, Duration giveUpAfter, Listener listener,
      NotificationLog notificationLog) {
    this.channel = channel;
    this.notificationLog = notificationLog;
    this.outbox = outbox;
    this.clock = clock;
    this.backoff = backoff;
    this.giveUpAfter = giveUpAfter;
    this.listener = listener;
  }

  Channel channel() {
    return channel;
  }

  /** Takes over a changed declaration of the same channel; the queue stays. */
  void replace(Channel changed) {
    this.channel = changed;
  }

  /**
   * Queues a notification. Its hold is fixed now, from this member's position at this moment: a
   * member that moves up the view later must not shorten it, or it would send together with the
   * member that moved up before it.
   */
  synchronized void add(Outbox.Entry entry) {
    Pending pending = new Pending(entry);
    long hold = holdMillis();
    if (hold > 0) {
      pending.nextAttemptAt = entry.notification().createdAt() + hold;
    }
    queue.addLast(pending);
    signalled = true;
    notifyAll();
  }

  synchronized int queued() {
    return queue.size();
  }

  private synchronized Pending head() {
    return queue.peekFirst();
  }

  private synchronized void remove(Pending pending) {
    queue.remove(pending);
  }

  /**
   * Sends every notification that is due, in order, and returns when the next one will be due
   * ({@link Long#MAX_VALUE} when none is waiting). A notification waiting for a retry or for its
   * hold holds back the ones behind it, so a channel never gets a resolution before its firing
   * message. (The ones behind were created later, so their holds end later anyway.)
   */
  long deliverDue() {
    Channel current = channel;
    long now = clock.millis();
    if (now - lastTickAt >= TICK_MS) {
      lastTickAt = now;
      tickSafely(current, now);
    }
    while (!stopped) {
      Pending head = head();
      if (head == null) {
        return Long.MAX_VALUE;
      }
      now = clock.millis();
      Notification n = head.entry.notification();
      if (now - n.createdAt() > giveUpAfter.toMillis()) {
        remove(head);
        outbox.delete(head.entry);
        listener.gaveUp(n, head.attempts);
        continue;
      }
      long rateLimitedUntil = lastSendAt + current.notifier().minInterval().toMillis();
      if (head.nextAttemptAt > now) {
        return Math.max(head.nextAttemptAt, rateLimitedUntil);
      }
      // Asked before every attempt, retries too: a peer may have delivered while this one waited.
      Set<String> deliveredBy = new TreeSet<>();
      Notification rest = undelivered(n, deliveredBy);
      if (rest == null) {
        remove(head);
        outbox.delete(head.entry);
        listener.deduplicated(n, String.join(", ", deliveredBy));
        continue;
      }
      if (rateLimitedUntil > now) {
        return rateLimitedUntil;
      }
      syncSafely(head.entry);
      Delivery delivery = sendSafely(current, rest);
      lastSendAt = clock.millis();
      head.attempts++;
      listener.attempted(rest, delivery, head.attempts);
      if (delivery.outcome() == Delivery.Outcome.RETRY) {
        head.nextAttemptAt = lastSendAt + backoff.delayMillis(head.attempts, delivery.retryAfter());
        continue; // due later: the next round of the loop returns that time
      }
      if (delivery.isSent()) {
        recordSafely(current, rest);
      }
      remove(head);
      outbox.delete(head.entry);
    }
    return Long.MAX_VALUE;
  }

  private long holdMillis() {
    try {
      return notificationLog.hold().toMillis();
    } catch (RuntimeException e) {
      log.error("channel \"{}\": cannot tell this member's hold; sending without", channel.name(), e);
      return 0;
    }
  }

  /**
   * {@code n} without the alerts a member already delivered (adding who to {@code by}); null when
   * none is left. When the log fails, everything is sent: a duplicate is better than nothing. An
   * aggregation group's message goes out whole when any of its alerts is new, as the group's
   * message lists every alert of the group.
   */
  private Notification undelivered(Notification n, Set<String> by) {
    List<Alert> rest = new ArrayList<>();
    for (Alert alert : n.alerts()) {
      Optional<String> member;
      try {
        member = notificationLog.deliveredBy(n, alert);
      } catch (RuntimeException e) {
        log.error("channel \"{}\": cannot read the notification log; sending {} in full", channel.name(), n.id(), e);
        return n;
      }
      if (member.isPresent()) {
        by.add(member.get());
      } else {
        rest.add(alert);
      }
    }
    if (rest.isEmpty()) {
      return null;
    }
    if (rest.size() == n.alerts().size() || !n.route().isEmpty()) {
      return n;
    }
    return n.withAlerts(rest);
  }

  /** Forces the notification's outbox file to disk before its first attempt (a no-op after that). */
  private void syncSafely(Outbox.Entry entry) {
    try {
      outbox.sync(entry);
    } catch (IOException e) {
      // Not durable, but not lost while the process runs: deliver from memory.
      log.error("channel \"{}\": cannot force {} to disk; delivering it all the same: {}", channel.name(),
          entry.file(), e.toString());
    }
  }

  private void recordSafely(Channel channel, Notification sent) {
    try {
      notificationLog.delivered(sent);
    } catch (RuntimeException e) {
      // Sent all the same; a peer may send it again, which at-least-once allows.
      log.error("channel \"{}\": cannot record notification {} in the notification log", channel.name(), sent.id(), e);
    }
  }

  private static Delivery sendSafely(Channel channel, Notification n) {
    try {
      return channel.send(n);
    } catch (RuntimeException e) {
      // A bug in a notifier must not lose the notification: keep it, retry with backoff.
      log.error("channel \"{}\" failed to send {}", channel.name(), n.id(), e);
      return Delivery.retry("internal error: " + e, null);
    }
  }

  private static void tickSafely(Channel channel, long now) {
    try {
      channel.notifier().tick(now);
    } catch (RuntimeException e) {
      log.error("channel \"{}\" failed its periodic work", channel.name(), e);
    }
  }

  /** Delivers on a thread of its own until {@link #stop}. */
  void start() {
    thread = new Thread(this::run, "notify-" + channel.name());
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!stopped) {
      try {
        long next = deliverDue();
        long waitMs = Math.max(1, Math.min(next, clock.millis() + TICK_MS) - clock.millis());
        synchronized (this) {
          if (!signalled && !stopped) {
            wait(waitMs);
          }
          signalled = false;
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("channel \"{}\": delivery loop failed; continuing", channel.name(), e);
      }
    }
  }

  void stop() {
    stopped = true;
    synchronized (this) {
      notifyAll();
    }
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
