package io.tocsin.cluster;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.channels.Channels;
import io.tocsin.history.AlertHistory;
import io.tocsin.notify.NotificationDispatcher;
import io.tocsin.notify.NotifierContext;
import io.tocsin.notify.silence.Silences;
import io.tocsin.testing.InMemoryPeers;
import io.tocsin.util.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Members of a cluster connected in memory, each a real dispatcher with its replicated
 * notification log over its own data directory, on one simulated clock. Closes them all.
 */
final class ReplicatedMembers implements AutoCloseable {
  private final MutableClock clock;
  private final InMemoryPeers.Network network = new InMemoryPeers.Network();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  ReplicatedMembers(MutableClock clock) {
    this.clock = clock;
  }

  /** A member's dispatcher (to configure), history and metrics. */
  record Member(NotificationDispatcher dispatcher, AlertHistory history, PrometheusRegistry registry) {
    /** The history, oldest entry first. */
    List<AlertHistory.Entry> entries() {
      List<AlertHistory.Entry> entries = new ArrayList<>(history.entries());
      Collections.reverse(entries);
      return entries;
    }

    String metrics() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** A new member that peers know as {@code name} (host:port), its data in a folder of {@code dataDir}. */
  Member join(Path dataDir, String name) throws IOException {
    Path dir = dataDir.resolve(name.replace(':', '-'));
    InMemoryPeers peers = network.join(name);
    PrometheusRegistry registry = new PrometheusRegistry();
    ReplicatedNotificationLog nflog = ReplicatedNotificationLog.open(peers, dir, clock, Duration.ofSeconds(15),
        () -> Duration.ofHours(2), registry);
    peers.register(nflog);
    AlertHistory history = new AlertHistory();
    NotificationDispatcher dispatcher = new NotificationDispatcher(dir, Channels.TYPES,
        new NotifierContext(clock, dir, null, null, HttpClient.newHttpClient(), Duration.ofSeconds(5)),
        new Silences(dir, clock), history, Duration.ofHours(24), nflog, registry);
    closeables.add(dispatcher);
    closeables.add(nflog);
    return new Member(dispatcher, history, registry);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }
}
