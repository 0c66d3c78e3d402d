package io.tocsin.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.notify.Alert;
import io.tocsin.notify.Notification;
import io.tocsin.notify.NotificationLog;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.util.AtomicFiles;
import io.tocsin.util.Quarantine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notification log shared by the members of a cluster: one entry per alert a member's channel
 * accepted (channel, monitor, fingerprint, event type, event time), recorded here, broadcast to
 * the peers, handed to a joining member, and kept in {@code <data_dir>/nflog.json} so that a
 * restarted member knows what it sent before any peer tells it.
 *
 * <p>Entries expire {@code retention} after their delivery (the longest repeat interval + 1 h,
 * {@link #retentionFor}): by then no member still holds or retries the same event, and a repeat
 * is a new event. The file is written at most once a second by a background thread (and on
 * close), so neither a delivery nor a peer's broadcast waits for the disk: a write of 1,000
 * entries (about 210 KB) takes some 7 ms with its fsync, too slow for a JGroups thread and, in a
 * burst of deliveries, for every one. A member killed within that second gets what it missed
 * back from its peers when it rejoins.
 */
public final class ReplicatedNotificationLog implements SharedState, NotificationLog, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicatedNotificationLog.class);
  static final String NAME = "nflog";
  static final String FILE = "nflog.json";
  private static final int VERSION = 1;
  private static final long FLUSH_EVERY_MS = 1_000;
  private static final long SWEEP_EVERY_MS = 60_000;
  private static final Duration MARGIN = Duration.ofHours(1);
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** One alert's event delivered to one channel. */
  record Key(String channel, String monitor, String fingerprint, String type, long at) {}

  /** When and by which member it was delivered, and when the entry can go. */
  record Delivered(long deliveredAt, long expiresAt, String by) {}

  /** An entry as it travels and as it is stored. */
  record WireEntry(String channel, String monitor, String fingerprint, String type, long at, long deliveredAt,
      long expiresAt, String by) {}

  /** A broadcast, a state transfer and the file all have this form; {@code version} for later changes. */
  record Wire(int version, List<WireEntry> entries) {}

  private final Peers peers;
  private final Path file;
  private final Clock clock;
  private final Duration peerTimeout;
  private final Supplier<Duration> retention;
  private final Map<Key, Delivered> entries = new ConcurrentHashMap<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  private final Object writing = new Object();
  private final ScheduledExecutorService flusher;
  private long lastSweepAt;

  private ReplicatedNotificationLog(Peers peers, Path dataDir, Clock clock, Duration peerTimeout,
      Supplier<Duration> retention, boolean background) {
    this.peers = peers;
    this.file = dataDir.resolve(FILE);
    this.clock = clock;
    this.peerTimeout = peerTimeout;
    this.retention = retention;
    this.lastSweepAt = clock.millis();
    load();
    if (background) {
      flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "nflog-flush");
        thread.setDaemon(true);
        return thread;
      });
      flusher.scheduleWithFixedDelay(this::housekeepSafely, FLUSH_EVERY_MS, FLUSH_EVERY_MS, TimeUnit.MILLISECONDS);
    } else {
      flusher = null;
    }
  }

  /**
   * Loads {@code <dataDir>/nflog.json} (an unreadable file is set aside and the log starts empty)
   * and starts writing changes back once a second. Register the result with the cluster.
   *
   * @param peerTimeout how long each position in the view holds a new notification
   * @param retention how long an entry lives after its delivery; read at each delivery, so that it
   *     follows rule reloads
   * @param registry where {@code tocsin_nflog_entries} goes, or null
   */
  public static ReplicatedNotificationLog open(Peers peers, Path dataDir, Clock clock, Duration peerTimeout,
      Supplier<Duration> retention, PrometheusRegistry registry) {
    ReplicatedNotificationLog nflog = new ReplicatedNotificationLog(peers, dataDir, clock, peerTimeout, retention, true);
    if (registry != null) {
      GaugeWithCallback.builder().name("tocsin_nflog_entries")
          .help("Entries in the replicated notification log: alerts delivered by a member of the cluster, until they expire")
          .callback(callback -> callback.call(nflog.entries.size())).register(registry);
    }
    return nflog;
  }

  /** Without the background thread: tests call {@link #flush} and {@link #sweep} themselves. */
  static ReplicatedNotificationLog forTest(Peers peers, Path dataDir, Clock clock, Duration peerTimeout,
      Supplier<Duration> retention) {
    return new ReplicatedNotificationLog(peers, dataDir, clock, peerTimeout, retention, false);
  }

  /** How long entries must live for these monitors: the longest {@code repeat_interval} + 1 h. */
  public static Duration retentionFor(Collection<MonitorDefinition> monitors) {
    Duration longest = Duration.ZERO;
    for (MonitorDefinition m : monitors) {
      if (m.repeatInterval() != null && m.repeatInterval().compareTo(longest) > 0) {
        longest = m.repeatInterval();
      }
    }
    return longest.plus(MARGIN);
  }

  // --- NotificationLog: the delivering side, on the channel workers' threads ---

  @Override
  public Duration hold() {
    return peerTimeout.multipliedBy(peers.position());
  }

  /**
   * Who delivered this event of this alert to the notification's channel: the same event type of
   * the same alert at the same bucket end, or one bucket before or after it. Two replicas whose data
   * or evaluation differed by a bucket (a point that came late to one of them) see one transition a
   * bucket apart; two different transitions of the same type are further apart than that, since
   * between them the alert must have changed state for at least a bucket.
   */
  @Override
  public Optional<String> deliveredBy(Notification notification, Alert alert) {
    Key key = keyOf(notification, alert);
    long bucket = notification.bucketMillis();
    long now = clock.millis();
    for (long at : bucket > 0 ? new long[] {key.at(), key.at() - bucket, key.at() + bucket} : new long[] {key.at()}) {
      Delivered d = entries.get(new Key(key.channel(), key.monitor(), key.fingerprint(), key.type(), at));
      if (d != null && d.expiresAt() > now) {
        return Optional.of(d.by());
      }
    }
    return Optional.empty();
  }

  @Override
  public void delivered(Notification notification) {
    long now = clock.millis();
    Delivered d = new Delivered(now, now + retention.get().toMillis(), peers.self());
    List<WireEntry> sent = new ArrayList<>();
    for (Alert alert : notification.alerts()) {
      Key key = keyOf(notification, alert);
      put(key, d);
      sent.add(wire(key, d));
    }
    dirty.set(true);
    try {
      peers.broadcast(NAME, JSON.writeValueAsBytes(new Wire(VERSION, sent)));
    } catch (IOException | RuntimeException e) {
      // The peers get it with the state when they (re)join; until then they may send it too.
      log.error("cannot broadcast the delivery of notification {}: {}", notification.id(), e.toString());
    }
  }

  private static Key keyOf(Notification n, Alert alert) {
    return new Key(n.channel(), n.sourceOf(alert).monitorId(), alert.fingerprint(), alert.status().id(), alert.at());
  }

  // --- SharedState: the cluster side, on JGroups' threads ---

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void receive(String from, byte[] message) {
    try {
      mergeAll(JSON.readValue(message, Wire.class));
    } catch (IOException | RuntimeException e) {
      log.error("ignored a notification log message from {} that cannot be read: {}", from, Quarantine.reason(e));
    }
  }

  @Override
  public byte[] state() {
    try {
      return JSON.writeValueAsBytes(snapshot());
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the notification log", e);
    }
  }

  @Override
  public void merge(byte[] state) {
    try {
      int merged = mergeAll(JSON.readValue(state, Wire.class));
      log.info("received {} notification log entries from the cluster", merged);
    } catch (IOException | RuntimeException e) {
      log.error("ignored the notification log state from the cluster, which cannot be read: {}", Quarantine.reason(e));
    }
  }

  /** Merges the unexpired, complete entries; returns how many there were. */
  private int mergeAll(Wire wire) {
    if (wire == null || wire.entries() == null) {
      return 0;
    }
    long now = clock.millis();
    int merged = 0;
    for (WireEntry e : wire.entries()) {
      if (e == null || e.channel() == null || e.monitor() == null || e.fingerprint() == null || e.type() == null
          || e.by() == null || e.expiresAt() <= now) {
        continue;
      }
      put(new Key(e.channel(), e.monitor(), e.fingerprint(), e.type(), e.at()),
          new Delivered(e.deliveredAt(), e.expiresAt(), e.by()));
      merged++;
    }
    if (merged > 0) {
      dirty.set(true);
    }
    return merged;
  }

  /** Keeps the entry that lives longer, so that a merge never shortens what a member knows. */
  private void put(Key key, Delivered d) {
    entries.merge(key, d, (old, now) -> now.expiresAt() > old.expiresAt() ? now : old);
  }

  private Wire snapshot() {
    long now = clock.millis();
    List<WireEntry> list = new ArrayList<>();
    entries.forEach((key, d) -> {
      if (d.expiresAt() > now) {
        list.add(wire(key, d));
      }
    });
    return new Wire(VERSION, list);
  }

  private static WireEntry wire(Key key, Delivered d) {
    return new WireEntry(key.channel(), key.monitor(), key.fingerprint(), key.type(), key.at(), d.deliveredAt(),
        d.expiresAt(), d.by());
  }

  // --- the file ---

  private void load() {
    try {
      int merged = mergeAll(JSON.readValue(Files.readAllBytes(file), Wire.class));
      dirty.set(false);
      log.info("loaded {} notification log entries from {}", merged, file);
    } catch (NoSuchFileException e) {
      // First start, or a fresh data_dir: the peers hand over theirs when this member joins.
    } catch (IOException | RuntimeException e) {
      Quarantine.setAside(file, "the notification log", e, "starting with an empty one", clock, log);
    }
  }

  /** Writes the entries to the file if they changed since the last write. */
  void flush() {
    synchronized (writing) {
      if (!dirty.getAndSet(false)) {
        return;
      }
      try {
        AtomicFiles.write(file, JSON.writeValueAsBytes(snapshot()));
      } catch (IOException | RuntimeException e) {
        dirty.set(true);
        log.error("cannot write the notification log to {}; will retry: {}", file, e.toString());
      }
    }
  }

  /** Drops the expired entries. */
  void sweep() {
    long now = clock.millis();
    if (entries.values().removeIf(d -> d.expiresAt() <= now)) {
      dirty.set(true);
    }
  }

  int size() {
    return entries.size();
  }

  private void housekeepSafely() {
    try {
      long now = clock.millis();
      if (now - lastSweepAt >= SWEEP_EVERY_MS) {
        lastSweepAt = now;
        sweep();
      }
      flush();
    } catch (RuntimeException e) {
      log.error("notification log housekeeping failed; will retry", e);
    }
  }

  @Override
  public void close() {
    if (flusher != null) {
      flusher.shutdown(); // lets a write in progress finish; no further ones start
      try {
        flusher.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    flush();
  }
}
