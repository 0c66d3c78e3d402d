package io.tocsin.notify;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.history.AlertHistory;
import io.tocsin.notify.route.Route;
import io.tocsin.notify.route.Routing;
import io.tocsin.notify.silence.Silences;
import io.tocsin.rules.AlertEvent;
import io.tocsin.rules.AlertSink;
import io.tocsin.rules.Annotations;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notification stage: takes the events of each monitor evaluation, leaves out silenced
 * alerts, routes each alert ({@link Routing}) and leaves it out of the channels whose routes are
 * muted now, makes one notification per channel of the alerts routed to it, writes it to the
 * outbox and hands it to that channel's worker. An alert of a monitor with levels is routed with
 * its level as {@code severity}; a channel reached only at a level the alert just left hears it
 * resolve there. Channels come from the rule files and change on reload; with none
 * declared, everything goes to the log.
 *
 * <p>An alert that takes an aggregating route (one with {@code group_by} and the like) joins that
 * route's aggregation group instead ({@link AggregationGroups}), which a timer flushes: every
 * second on a thread of its own once {@link #start() started}, else in {@link #deliverDue()}.
 */
public final class NotificationDispatcher implements AlertSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NotificationDispatcher.class);
  /** The channel used when the rule files declare none. */
  static final ChannelDeclaration DEFAULT_LOG = new ChannelDeclaration("log", "log",
      new YamlNode.Mapping(new Mark("<default>", 1, 1), Map.of()), new Mark("<default>", 1, 1));

  private final Outbox outbox;
  private final ChannelTypes types;
  private final NotifierContext context;
  private final Path channelsRoot;
  private final Silences silences;
  private final AlertHistory history;
  private final Duration giveUpAfter;
  private final Backoff backoff;
  private final NotifyMetrics metrics;
  private final NotificationLog notificationLog;
  private final Map<String, ChannelWorker> workers = new LinkedHashMap<>();
  private volatile Routing routing = Routing.DEFAULT;
  private final Inhibitions inhibitions = new Inhibitions();
  private final AggregationGroups groups;
  private final AggregationGroups.Outlet outlet;
  private ScheduledExecutorService groupTimer;
  private boolean running;

  /**
   * @param types the channel types declarations may use
   * @param context shared by every channel; each gets its own state directory under it
   * @param registry where the self-metrics go, or null
   */
  public NotificationDispatcher(Path dataDir, ChannelTypes types, NotifierContext context, Silences silences,
      AlertHistory history, Duration giveUpAfter, PrometheusRegistry registry) {
    this(dataDir, types, context, silences, history, giveUpAfter, NotificationLog.ALONE, registry);
  }

  /** @param notificationLog what the peers of a cluster delivered; {@link NotificationLog#ALONE} without one */
  public NotificationDispatcher(Path dataDir, ChannelTypes types, NotifierContext context, Silences silences,
      AlertHistory history, Duration giveUpAfter, NotificationLog notificationLog, PrometheusRegistry registry) {
    this(dataDir, types, context, silences, history, giveUpAfter, Backoff.DEFAULT, notificationLog, registry);
  }

  NotificationDispatcher(Path dataDir, ChannelTypes types, NotifierContext context, Silences silences,
      AlertHistory history, Duration giveUpAfter, Backoff backoff, NotificationLog notificationLog,
      PrometheusRegistry registry) {
    this.notificationLog = notificationLog;
    this.outbox = new Outbox(dataDir.resolve("outbox"));
    this.types = types;
    this.context = context;
    this.channelsRoot = dataDir.resolve("channels");
    this.silences = silences;
    this.history = history;
    this.giveUpAfter = giveUpAfter;
    this.backoff = backoff;
    this.metrics = registry == null ? null : new NotifyMetrics(registry, this::queued);
    this.groups = new AggregationGroups(dataDir.resolve("groups.json"), link("/#alerts"));
    this.outlet = new GroupOutlet(this, silences, inhibitions, outbox);
  }

  /**
   * Sets the channels: unchanged ones keep their worker and queue, changed ones get the new
   * settings, removed ones stop (what they had queued stays in the outbox for when they come
   * back). Nothing changes when any declaration is unusable.
   */
  public synchronized void configure(List<ChannelDeclaration> declarations) throws ConfigException {
    configure(declarations, Routing.DEFAULT);
  }

  /** Sets the channels as {@link #configure(List)} does, and then the routing to them. */
  public synchronized void configure(List<ChannelDeclaration> declarations, Routing routing)
      throws ConfigException {
    configureChannels(declarations);
    this.routing = routing;
    inhibitions.rules(routing.inhibitRules());
  }

  private void configureChannels(List<ChannelDeclaration> declarations) throws ConfigException {
    List<ChannelDeclaration> wanted = declarations.isEmpty() ? List.of(DEFAULT_LOG) : declarations;
    List<ConfigError> errors = new ArrayList<>();
    Map<String, Channel> built = new LinkedHashMap<>();
    for (ChannelDeclaration d : wanted) {
      ChannelWorker existing = workers.get(d.name());
      if (existing != null && existing.channel().declaration().equals(d)) {
        built.put(d.name(), existing.channel());
        continue;
      }
      Channel channel = types.create(d, context.forChannel(channelDir(d.name())), errors);
      if (channel != null) {
        built.put(d.name(), channel);
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    for (Map.Entry<String, ChannelWorker> old : new ArrayList<>(workers.entrySet())) {
      if (!built.containsKey(old.getKey())) {
        old.getValue().stop();
        workers.remove(old.getKey());
        if (old.getValue().queued() > 0) {
          log.warn("channel \"{}\" was removed with {} notifications waiting; they stay in the outbox",
              old.getKey(), old.getValue().queued());
        }
      }
    }
    for (Channel channel : built.values()) {
      ChannelWorker worker = workers.get(channel.name());
      if (worker != null) {
        worker.replace(channel);
        continue;
      }
      worker = new ChannelWorker(channel, outbox, context.clock(), backoff, giveUpAfter, listener(channel.name()),
          notificationLog);
      try {
        for (Outbox.Entry waiting : outbox.load(channel.name())) {
          worker.add(waiting);
        }
      } catch (IOException e) {
        log.error("cannot read the outbox of channel \"{}\": {}", channel.name(), e.toString());
      }
      workers.put(channel.name(), worker);
      if (running) {
        worker.start();
      }
    }
  }

  private Path channelDir(String channel) {
    return channelsRoot.resolve(Outbox.directoryName(channel));
  }

  /** Starts a delivery thread per channel; without this, {@link #deliverDue} delivers. */
  public synchronized void start() {
    running = true;
    workers.values().forEach(ChannelWorker::start);
    groupTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tocsin-aggregation-groups");
      t.setDaemon(true);
      return t;
    });
    groupTimer.scheduleWithFixedDelay(this::flushGroups, 1, 1, TimeUnit.SECONDS);
  }

  /** Flushes the aggregation groups that are due now. */
  private void flushGroups() {
    try {
      groups.flushDue(context.clock().millis(), outlet);
    } catch (RuntimeException e) {
      log.error("cannot flush the aggregation groups; trying again in a second", e);
    }
  }

  /** Delivers what is due now on the calling thread, aggregation groups first; for tests that drive time themselves. */
  public void deliverDue() {
    flushGroups();
    List<ChannelWorker> current;
    synchronized (this) {
      current = new ArrayList<>(workers.values());
    }
    current.forEach(ChannelWorker::deliverDue);
  }

  public synchronized List<String> channels() {
    return List.copyOf(workers.keySet());
  }

  @Override
  public void deliver(MonitorDefinition monitor, List<AlertEvent> events) {
    List<Alert> alerts = new ArrayList<>();
    List<List<Route>> routes = new ArrayList<>();
    List<Map<String, List<Route>>> leftRoutes = new ArrayList<>();
    List<String> suppressed = new ArrayList<>();
    Routing routing = this.routing;
    Alert.Source source = new Alert.Source(monitor.id(), monitor.name(), monitor.labels(), monitor.unit(),
        link("/monitors/" + monitor.id()));
    long now = context.clock().millis();
    boolean grouped = false;
    for (AlertEvent event : events) {
      Map<String, String> labels = new TreeMap<>(monitor.labels());
      labels.putAll(event.labels().asMap());
      labels.put("alertname", monitor.name());
      if (!event.severity().isEmpty()) {
        labels.put("severity", event.severity());
      }
      boolean firingWasInhibited = false;
      if (event.type() == AlertEvent.Type.RESOLVED) {
        firingWasInhibited = inhibitions.resolved(event.fingerprint());
      } else {
        inhibitions.firing(event.fingerprint(), labels);
      }
      Map<String, String> annotations =
          Annotations.render(monitor, event.labels(), event.value(), event.type().id(), event.severity());
      Alert alert = new Alert(event.type(), event.labels().asMap(), annotations, event.value(), event.threshold(),
          event.activeAt(), event.firedAt(), event.resolvedAt(), event.at(), event.fingerprint(), event.reason(),
          event.severity());
      List<Route> direct = new ArrayList<>();
      Set<String> taken = new HashSet<>();
      for (Route route : routing.routes(labels)) {
        taken.add(route.path());
        if (route.grouping() == null) {
          direct.add(route);
        } else {
          groups.add(route, alert.of(source), labels, now);
          grouped = true;
        }
      }
      Map<String, List<Route>> left = new LinkedHashMap<>();
      for (Map.Entry<String, List<Route>> level : leftRoutes(routing, labels, event.left()).entrySet()) {
        List<Route> directLeft = new ArrayList<>();
        for (Route route : level.getValue()) {
          if (route.grouping() == null) {
            directLeft.add(route);
          } else if (taken.add(route.path())) {
            // A group the alert no longer reaches hears it resolve at the level it held there.
            Map<String, String> atLevel = new TreeMap<>(labels);
            atLevel.put("severity", level.getKey());
            groups.add(route, alert.resolvedAt(level.getKey(), event.at()).of(source), atLevel, now);
            grouped = true;
          }
        }
        if (!directLeft.isEmpty()) {
          left.put(level.getKey(), directLeft);
        }
      }
      if (direct.isEmpty() && left.isEmpty()) {
        continue; // silence, inhibition and mute are decided when its groups are flushed
      }
      // Silenced now, as Alertmanager decides at send time: the event's bucket ended a while ago.
      Optional<String> silence = silences.silencing(labels, context.clock().millis());
      if (silence.isPresent()) {
        suppressed.add(event.type().id() + " " + event.labels() + " (silence " + silence.get() + ")");
        record(new AlertHistory.Entry(event.at(), "silenced", monitor.id(), monitor.name(), shown(event),
            event.value(), event.type().id() + " silenced by " + silence.get(), null), null, "silenced");
        continue;
      }
      String inhibitor = event.type() == AlertEvent.Type.RESOLVED ? null
          : inhibitions.decide(event.fingerprint(), labels);
      if (inhibitor != null || firingWasInhibited) {
        String why = inhibitor != null ? "inhibited by " + inhibitor : "its firing was inhibited";
        suppressed.add(event.type().id() + " " + event.labels() + " (" + why + ")");
        record(new AlertHistory.Entry(event.at(), "inhibited", monitor.id(), monitor.name(), shown(event),
            event.value(), event.type().id() + " not sent: " + why, null), null, "inhibited");
        continue;
      }
      alerts.add(alert);
      routes.add(direct);
      leftRoutes.add(left);
    }
    if (grouped) {
      groups.persist();
    }
    if (!suppressed.isEmpty()) {
      log.info("monitor \"{}\": not sent, silenced or inhibited: {}{}", monitor.name(), String.join(", ",
          suppressed.subList(0, Math.min(3, suppressed.size()))), suppressed.size() > 3 ? " and "
          + (suppressed.size() - 3) + " more" : "");
    }
    if (alerts.isEmpty()) {
      return;
    }
    Instant sendTime = Instant.ofEpochMilli(context.clock().millis());
    for (ChannelWorker worker : workers()) {
      Channel channel = worker.channel();
      List<Alert> forChannel = new ArrayList<>();
      for (int i = 0; i < alerts.size(); i++) {
        Alert alert = alerts.get(i);
        if (alert.isResolved() && !channel.sendResolved()) {
          continue;
        }
        String muted = null;
        boolean routed = false;
        for (Route route : routes.get(i)) {
          if (route.sendsTo(channel.name())) {
            String why = routing.mutedBy(route, sendTime);
            routed |= why == null;
            muted = why == null ? muted : why + " (route " + route.path() + ")";
          }
        }
        Alert leaving = routed ? null : leaving(alert, leftRoutes.get(i), channel, routing, sendTime);
        if (routed) {
          forChannel.add(alert);
        } else if (leaving != null) {
          forChannel.add(leaving);
        } else if (muted != null) {
          record(new AlertHistory.Entry(alert.at(), "muted", monitor.id(), monitor.name(), shown(alert),
              alert.value(), alert.status().id() + " not sent: " + muted, channel.name()), channel.name(), "muted");
        }
      }
      if (forChannel.isEmpty()) {
        continue;
      }
      long createdAt = context.clock().millis();
      enqueue(worker, new Notification(outbox.nextId(createdAt), channel.name(), monitor.id(), monitor.name(),
          monitor.labels(), monitor.unit(), link("/monitors/" + monitor.id()), forChannel, createdAt, false,
          monitor.groupingInterval().toMillis()));
    }
  }

  /**
   * Forces the notifications written to the outbox so far to disk; the engine calls this before it
   * saves the state whose transitions made them, so a saved transition never lacks its notification.
   */
  @Override
  public void flush() {
    try {
      outbox.syncAll();
    } catch (IOException e) {
      log.error("cannot force the outbox to disk: {}", e.toString());
    }
  }

  private void enqueue(ChannelWorker worker, Notification n) {
    try {
      worker.add(outbox.write(n));
    } catch (IOException e) {
      // Not durable, but not lost while the process runs: deliver from memory.
      log.error("cannot write notification {} to the outbox; delivering it without: {}", n.id(), e.toString());
      worker.add(new Outbox.Entry(n, outbox.directory(n.channel()).resolve(n.id() + ".json")));
    }
  }

  /** Writes {@code n} to the outbox and hands it to its channel's worker, when the channel still exists. */
  void send(Notification n) {
    ChannelWorker worker;
    synchronized (this) {
      worker = workers.get(n.channel());
    }
    if (worker != null) {
      enqueue(worker, n);
    }
  }

  /** An event's group labels for the history: with levels, with its level as {@code severity}. */
  private static Map<String, String> shown(AlertEvent event) {
    return withSeverity(event.labels().asMap(), event.severity());
  }

  private static Map<String, String> shown(Alert alert) {
    return withSeverity(alert.labels(), alert.severity());
  }

  private static Map<String, String> withSeverity(Map<String, String> labels, String severity) {
    if (severity.isEmpty()) {
      return labels;
    }
    Map<String, String> shown = new TreeMap<>(labels);
    shown.put("severity", severity);
    return shown;
  }

  /** The routes an alert would take at each of the levels it left ({@link AlertEvent#left}), highest first. */
  private static Map<String, List<Route>> leftRoutes(Routing routing, Map<String, String> labels, List<String> left) {
    if (left.isEmpty()) {
      return Map.of();
    }
    Map<String, List<Route>> byLevel = new LinkedHashMap<>();
    for (int i = left.size() - 1; i >= 0; i--) {
      String level = left.get(i);
      Map<String, String> atLevel = new TreeMap<>(labels);
      atLevel.put("severity", level);
      byLevel.put(level, routing.routes(atLevel));
    }
    return byLevel;
  }

  /**
   * What a channel that the alert's routes at its new level do not reach, but a route at a level
   * it left does (unmuted), is told: that the alert resolved at that level, as Alertmanager
   * resolves a rule's alert when its condition stops (so a page opened at critical closes when
   * the alert drops to warning); null when no such route reaches it, or it sends no resolutions.
   */
  private Alert leaving(Alert alert, Map<String, List<Route>> left, Channel channel, Routing routing,
      Instant sendTime) {
    if (!channel.sendResolved()) {
      return null;
    }
    for (Map.Entry<String, List<Route>> level : left.entrySet()) {
      for (Route route : level.getValue()) {
        if (route.sendsTo(channel.name()) && routing.mutedBy(route, sendTime) == null) {
          return alert.resolvedAt(level.getKey(), alert.at());
        }
      }
    }
    return null;
  }

  synchronized List<ChannelWorker> workers() {
    return new ArrayList<>(workers.values());
  }

  /**
   * Tells the inhibition rules which alerts fire already, at start: restored firing alerts send no
   * event until they repeat or resolve. {@code firing} maps fingerprints to full label sets.
   */
  public void alreadyFiring(Map<String, Map<String, String>> firing) {
    firing.forEach(inhibitions::firing);
  }

  /** Why the alert {@code fingerprint} with these full labels is inhibited now, or empty. */
  public Optional<String> inhibitedBy(String fingerprint, Map<String, String> labels) {
    return Optional.ofNullable(inhibitions.inhibitedBy(fingerprint, labels));
  }

  /** How many aggregation groups hold alerts now. */
  public int aggregationGroups() {
    return groups.size();
  }

  /** The routing alerts take now. */
  public Routing routing() {
    return routing;
  }

  /** A page of the status page, under {@code external_url}. */
  private String link(String path) {
    String base = context.externalUrl() == null ? "" : context.externalUrl().replaceAll("/+$", "");
    return base + path;
  }

  /**
   * Sends a clearly marked test message to a channel right away, outside the queue, and returns
   * the channel's answer; empty when there is no such channel.
   */
  public Optional<Delivery> sendTest(String channelName) {
    ChannelWorker worker;
    synchronized (this) {
      worker = workers.get(channelName);
    }
    if (worker == null) {
      return Optional.empty();
    }
    long now = context.clock().millis();
    Alert alert = new Alert(AlertEvent.Type.FIRING, Map.of("channel", channelName),
        Map.of("summary", "A test message from Tocsin: this channel works."), 1, 0, now, now, 0, now,
        "test-" + channelName, "");
    Notification n = new Notification(outbox.nextId(now), channelName, "test", "Tocsin test notification",
        Map.of(), "", link("/"), List.of(alert), now, true);
    Delivery delivery;
    try {
      delivery = worker.channel().send(n);
    } catch (RuntimeException e) {
      delivery = Delivery.failed("internal error: " + e);
    }
    record(new AlertHistory.Entry(now, "test_" + delivery.outcome().id(), "", n.monitor(), Map.of(), Double.NaN,
        delivery.detail(), channelName), channelName, "test_" + delivery.outcome().id());
    return Optional.of(delivery);
  }

  private ChannelWorker.Listener listener(String channel) {
    return new ChannelWorker.Listener() {
      @Override
      public void attempted(Notification n, Delivery d, int attempt) {
        String detail = n.status() + ", " + n.alerts().size() + (n.alerts().size() == 1 ? " alert" : " alerts")
            + ", attempt " + attempt + ": " + d.detail();
        for (Notification part : n.perMonitor()) {
          history.add(new AlertHistory.Entry(context.clock().millis(), d.outcome().id(), part.monitorId(),
              part.monitor(), common(part), Double.NaN, detail, channel));
        }
        count(channel, d.outcome().id());
        if (d.outcome() == Delivery.Outcome.FAILED) {
          log.error("channel \"{}\" refused notification {} for \"{}\" {} (not retried): {}", channel, n.id(),
              n.monitor(), groups(n), d.detail());
        } else if (d.outcome() == Delivery.Outcome.RETRY) {
          log.warn("channel \"{}\": notification {} for \"{}\" {} failed, will retry: {}", channel, n.id(),
              n.monitor(), groups(n), d.detail());
        } else {
          log.info("channel \"{}\": sent notification {} for \"{}\": {} {}", channel, n.id(), n.monitor(), n.status(),
              groups(n));
        }
      }

      @Override
      public void gaveUp(Notification n, int attempts) {
        for (Notification part : n.perMonitor()) {
          history.add(new AlertHistory.Entry(context.clock().millis(), "gave_up", part.monitorId(), part.monitor(),
              common(part), Double.NaN, "not delivered after " + attempts + " attempts in "
              + Messages.duration(giveUpAfter.toMillis()), channel));
        }
        count(channel, "gave_up");
        log.error("channel \"{}\": gave up on notification {} for \"{}\" after {} attempts", channel, n.id(),
            n.monitor(), attempts);
      }

      @Override
      public void deduplicated(Notification n, String by) {
        String detail = n.status() + ", " + n.alerts().size() + (n.alerts().size() == 1 ? " alert" : " alerts")
            + ": already sent by " + by;
        for (Notification part : n.perMonitor()) {
          history.add(new AlertHistory.Entry(context.clock().millis(), "deduplicated", part.monitorId(),
              part.monitor(), common(part), Double.NaN, detail, channel));
        }
        count(channel, "deduplicated");
        log.info("channel \"{}\": notification {} for \"{}\" {}", channel, n.id(), n.monitor(), detail);
      }
    };
  }

  /** The groups a notification is about, for a log line: at most three, then how many more. */
  private static String groups(Notification n) {
    List<String> shown = n.alerts().stream().limit(3).map(a -> Messages.labels(a.labels())).toList();
    return String.join(", ", shown) + (n.alerts().size() > 3 ? " and " + (n.alerts().size() - 3) + " more" : "");
  }

  /** The group labels all of a notification's alerts share. */
  private static Map<String, String> common(Notification n) {
    Map<String, String> common = new TreeMap<>(n.commonLabels());
    common.remove("alertname");
    common.keySet().removeAll(n.monitorLabels().keySet());
    return common;
  }

  /** Adds {@code entry} to the history and counts its outcome for {@code channel} (null: none). */
  void record(AlertHistory.Entry entry, String channel, String outcome) {
    history.add(entry);
    count(channel, outcome);
  }

  private void count(String channel, String outcome) {
    if (metrics != null) {
      metrics.count(channel == null ? "" : channel, outcome);
    }
  }

  private synchronized Map<String, Integer> queued() {
    Map<String, Integer> queued = new LinkedHashMap<>();
    workers.forEach((name, worker) -> queued.put(name, worker.queued()));
    return queued;
  }

  @Override
  public synchronized void close() {
    running = false;
    if (groupTimer != null) {
      groupTimer.shutdownNow();
    }
    workers.values().forEach(ChannelWorker::stop);
    flush();
  }
}
