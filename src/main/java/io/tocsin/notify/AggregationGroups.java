package io.tocsin.notify;

import com.fasterxml.jackson.core.type.TypeReference;
import io.tocsin.notify.route.Grouping;
import io.tocsin.notify.route.Route;
import io.tocsin.rules.AlertEvent;
import io.tocsin.util.AtomicFiles;
import io.tocsin.util.Quarantine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregation groups of the routes that set (or inherit) {@code group_by}, {@code group_wait},
 * {@code group_interval} or {@code repeat_interval}, with Alertmanager's dispatch semantics: one
 * group per route and value set of its {@code group_by} labels, created by its first firing alert;
 * its first message {@code group_wait} later; then at every {@code group_interval} a message when a
 * firing alert joined that the channel was not told of, or one it was told of resolved; else all
 * firing alerts again once {@code repeat_interval} passed since the channel's last message. Every
 * message lists all the group's alerts. Resolved alerts leave the group once flushed; an empty
 * group is dropped. Silences, inhibition and mute intervals are decided when a group is flushed.
 *
 * <p>What was told to each channel is kept per group (Alertmanager keeps it in its notification
 * log), so that a resolution goes only where its firing went.
 *
 * <p>Durable: every change (an alert added, a group flushed) rewrites {@code groups.json} in the
 * data directory before it takes effect, so unflushed alerts and the timers survive a restart.
 * The cost is one write of every group's alerts per monitor evaluation that adds to a group and
 * per flush, never per tick.
 *
 * <p>Thread-safe: one lock guards every group; {@link #flushDue} runs under it, so an evaluation
 * adding alerts waits for a flush in progress (writing its notifications to the outbox).
 */
final class AggregationGroups {
  private static final Logger log = LoggerFactory.getLogger(AggregationGroups.class);
  private static final TypeReference<List<Saved>> SAVED = new TypeReference<>() {};

  /** What a flush needs from the rest of the notification stage. */
  interface Outlet {
    /** The route at {@code path} now; null when a reload removed it. */
    Route route(String path);

    /** Whether an alert with these full labels still takes {@code route}. */
    boolean takes(Map<String, String> labels, Route route);

    /** Why a firing alert is held back now, as {@code silenced: ...} or {@code inhibited: ...}; null when it is not. */
    Hold held(Alert alert, Map<String, String> labels, long now);

    /** Why {@code route} does not notify now (its mute or active time intervals); null when it does. */
    String mutedBy(Route route, long now);

    /** The channels now, in their order. */
    List<Channel> channels();

    /** A new notification id, as the outbox orders them. */
    String nextId(long now);

    /** Writes the message to the outbox and hands it to its channel. */
    void send(Notification n);

    /** Records in the history that {@code alert} was not sent to {@code channel} (null for every channel). */
    void notSent(Alert alert, String channel, String type, String why);
  }

  /** Why an alert is held back: {@code type} is {@code silenced} or {@code inhibited}. */
  record Hold(String type, String why) {}

  /** What one channel was last told by a group: the {@link #identity identities} of its firing alerts, and when. */
  record Told(Set<String> firing, long at) {
    Told {
      firing = Set.copyOf(firing);
    }
  }

  /** A group as {@code groups.json} holds it. */
  record Saved(String route, Map<String, String> labels, long nextFlushAt, List<Alert> alerts,
      Map<String, Told> told) {}

  /** One aggregation group; guarded by the lock of {@link AggregationGroups}. */
  private static final class Group {
    final String route;
    final Map<String, String> labels;
    long nextFlushAt;
    /** By fingerprint: the latest event of each alert. */
    final Map<String, Alert> alerts = new LinkedHashMap<>();
    /** By channel name. */
    final Map<String, Told> told = new TreeMap<>();
    /** Alerts and reasons already recorded as held back, so that each is recorded once. */
    final Set<String> reported = new HashSet<>();

    Group(String route, Map<String, String> labels, long nextFlushAt) {
      this.route = route;
      this.labels = Map.copyOf(labels);
      this.nextFlushAt = nextFlushAt;
    }
  }

  private final Path file;
  private final String alertsLink;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  /** The key of the group holding each alert of each route, by route path and fingerprint. */
  private final Map<String, String> groupOf = new HashMap<>();

  /**
   * @param file where the groups are kept; read now when it exists
   * @param alertsLink where a message of several monitors links: the status page's alert list
   */
  AggregationGroups(Path file, String alertsLink) {
    this.file = file;
    this.alertsLink = alertsLink;
    load();
  }

  /**
   * Adds an event of an alert that takes {@code route} (which aggregates); {@code alert} carries
   * its source, {@code labels} are its full labels. A resolution of an alert no group holds is
   * dropped: no channel was told of it by this route. Call {@link #persist} after a batch of these.
   */
  synchronized void add(Route route, Alert alert, Map<String, String> labels, long now) {
    Grouping grouping = route.grouping();
    Map<String, String> groupLabels = grouping.groupLabels(labels);
    String key = key(route.path(), groupLabels);
    Alert before = null;
    String was = groupOf.get(member(route.path(), alert));
    Group old = was == null ? null : groups.get(was);
    if (old != null && !was.equals(key) && alert.isResolved()) {
      key = was; // resolved where the channels were told of its firing
    } else if (old != null && !was.equals(key)) {
      // Its group_by labels changed (a reload, a severity in group_by): it moves rather than stays firing there.
      before = old.alerts.remove(alert.fingerprint());
      groupOf.remove(member(route.path(), alert));
      if (old.alerts.isEmpty()) {
        groups.remove(was);
      }
    }
    Group group = groups.get(key);
    groupLabels = group == null ? groupLabels : group.labels;
    before = group != null && group.alerts.containsKey(alert.fingerprint()) ? group.alerts.get(alert.fingerprint())
        : before;
    if (group == null) {
      if (alert.isResolved()) {
        return;
      }
      group = new Group(route.path(), groupLabels, now + grouping.groupWait().toMillis());
      groups.put(key, group);
    }
    // The monitor's repeats are not the route's: a repeat only refreshes the value of what the group holds.
    boolean refresh = alert.status() == AlertEvent.Type.REPEAT && before != null && !before.isResolved();
    group.alerts.put(alert.fingerprint(), refresh ? alert.as(before.status(), before.at()) : alert);
    groupOf.put(member(route.path(), alert), key);
  }

  private static String member(String route, Alert alert) {
    return route + "\n" + alert.fingerprint();
  }

  /** Takes the alerts {@code leaving} out of {@code group}. */
  private void remove(Group group, Predicate<Alert> leaving) {
    group.alerts.values().removeIf(a -> {
      if (leaving.test(a)) {
        groupOf.remove(member(group.route, a));
        return true;
      }
      return false;
    });
  }

  /** Writes the groups, after {@link #add}s: once per monitor evaluation, not once per alert. */
  synchronized void persist() {
    save();
  }

  /** When the next group is due; {@link Long#MAX_VALUE} with none. */
  synchronized long nextFlushAt() {
    return groups.values().stream().mapToLong(g -> g.nextFlushAt).min().orElse(Long.MAX_VALUE);
  }

  synchronized int size() {
    return groups.size();
  }

  /** Flushes every group that is due at {@code now}. */
  synchronized void flushDue(long now, Outlet outlet) {
    boolean changed = false;
    for (Map.Entry<String, Group> entry : new ArrayList<>(groups.entrySet())) {
      Group group = entry.getValue();
      if (group.nextFlushAt > now) {
        continue;
      }
      changed = true;
      Route route = outlet.route(group.route);
      if (route == null || route.grouping() == null) {
        log.warn("route {} no longer aggregates (the rule files changed): dropped its group {} of {} alerts",
            group.route, Messages.labels(group.labels), group.alerts.size());
        remove(group, a -> true);
        groups.remove(entry.getKey());
        continue;
      }
      flush(group, route, now, outlet);
      remove(group, Alert::isResolved);
      if (group.alerts.isEmpty()) {
        groups.remove(entry.getKey());
        continue;
      }
      long interval = route.grouping().groupInterval().toMillis();
      // On the group's own grid, as Alertmanager's ticker: a late tick does not shift later flushes.
      group.nextFlushAt += ((now - group.nextFlushAt) / interval + 1) * interval;
    }
    if (changed) {
      save();
    }
  }

  private void flush(Group group, Route route, long now, Outlet outlet) {
    // An alert that no longer takes the route (its severity changed, or a reload changed the route) ends here,
    // as Alertmanager ends an alert whose labels changed: the channels told of it hear it resolve.
    group.alerts.replaceAll((fingerprint, a) -> a.isResolved() || outlet.takes(labelsOf(a), route) ? a
        : new Alert(AlertEvent.Type.RESOLVED, a.labels(), a.annotations(), a.value(), a.threshold(), a.activeAt(),
            a.firedAt(), now, now, a.fingerprint(), "", a.severity(), a.source()));
    List<Alert> firing = new ArrayList<>();
    List<Alert> resolved = new ArrayList<>();
    Set<String> stillReported = new HashSet<>();
    for (Alert alert : group.alerts.values()) {
      if (alert.isResolved()) {
        resolved.add(alert);
        continue;
      }
      Hold hold = outlet.held(alert, labelsOf(alert), now);
      if (hold == null) {
        firing.add(alert);
        continue;
      }
      String report = alert.fingerprint() + " " + hold.why();
      stillReported.add(report);
      if (group.reported.add(report)) {
        outlet.notSent(alert, null, hold.type(), alert.status().id() + " not sent: " + hold.why() + " (route "
            + route.path() + ")");
      }
    }
    group.reported.retainAll(stillReported);
    Set<String> firingKeys = new HashSet<>();
    firing.forEach(a -> firingKeys.add(identity(a)));
    Grouping grouping = route.grouping();
    String muted = outlet.mutedBy(route, now);
    for (Channel channel : outlet.channels()) {
      if (!route.sendsTo(channel.name())) {
        continue;
      }
      Told told = group.told.get(channel.name());
      List<Alert> resolvedHere = told == null ? List.of()
          : resolved.stream().filter(a -> told.firing().contains(identity(a))).toList();
      if (!needsMessage(told, firingKeys, resolvedHere, channel.sendResolved(), grouping, now)) {
        continue;
      }
      if (muted != null) {
        for (Alert alert : firing) {
          if (told == null || !told.firing().contains(identity(alert))) {
            outlet.notSent(alert, channel.name(), "muted", alert.status().id() + " not sent: " + muted + " (route "
                + route.path() + ")");
          }
        }
        continue; // not told: once the mute ends, the next flush sends what changed
      }
      List<Alert> message = new ArrayList<>();
      for (Alert alert : firing) {
        message.add(told != null && told.firing().contains(identity(alert)) ? resent(alert, grouping, now) : alert);
      }
      if (channel.sendResolved()) {
        message.addAll(resolvedHere);
      }
      if (!message.isEmpty()) {
        outlet.send(Notification.grouped(outlet.nextId(now), channel.name(), route.path(), group.labels, message, now,
            alertsLink));
      }
      group.told.put(channel.name(), new Told(firingKeys, now));
    }
  }

  /** Alertmanager's rule for whether a flush tells a channel anything. */
  private static boolean needsMessage(Told told, Set<String> firing, List<Alert> resolved, boolean sendResolved,
      Grouping grouping, long now) {
    if (told == null) {
      return !firing.isEmpty();
    }
    if (!told.firing().containsAll(firing)) {
      return true;
    }
    if (firing.isEmpty()) {
      // Everything it was told of resolved (or is held back now): say so, or at least forget it.
      return !told.firing().isEmpty();
    }
    if (sendResolved && !resolved.isEmpty()) {
      return true;
    }
    return now - told.at() >= grouping.repeatInterval().toMillis();
  }

  /**
   * A firing alert the channel was told of, sent again with a group's message: a repeat, at a time
   * on a grid of {@code repeat_interval} from when it fired, so that two members of a cluster
   * flushing the same group moments apart give it the same identity in the notification log.
   */
  private static Alert resent(Alert alert, Grouping grouping, long now) {
    long anchor = alert.firedAt() > 0 ? alert.firedAt() : alert.at();
    long repeat = grouping.repeatInterval().toMillis();
    long at = now <= anchor ? anchor : anchor + (now - anchor) / repeat * repeat;
    return alert.as(AlertEvent.Type.REPEAT, at);
  }

  /**
   * What a channel is told of: the alert with its labels, as Alertmanager tells alerts apart, so
   * that an alert whose {@code severity} label changed (escalated) is news to the channel, though
   * its fingerprint stays.
   */
  private static String identity(Alert alert) {
    return alert.fingerprint() + " " + Messages.labels(labelsOf(alert));
  }

  /** An alert's full labels, as routes and silences see them. */
  private static Map<String, String> labelsOf(Alert alert) {
    return Notification.labelsOf(alert.source(), alert);
  }

  private static String key(String route, Map<String, String> labels) {
    return route + ":" + Messages.labels(labels);
  }

  private void save() {
    List<Saved> saved = new ArrayList<>();
    for (Group g : groups.values()) {
      saved.add(new Saved(g.route, g.labels, g.nextFlushAt, new ArrayList<>(g.alerts.values()), g.told));
    }
    try {
      if (saved.isEmpty() && !Files.exists(file)) {
        return;
      }
      Files.createDirectories(file.getParent());
      AtomicFiles.write(file, Outbox.JSON.writeValueAsBytes(saved));
    } catch (IOException e) {
      // Not durable, but nothing is lost while the process runs.
      log.error("cannot write the aggregation groups to {}: {}", file, e.toString());
    }
  }

  private void load() {
    if (!Files.exists(file)) {
      return;
    }
    try {
      for (Saved s : Outbox.JSON.readValue(file.toFile(), SAVED)) {
        Group g = new Group(s.route(), s.labels(), s.nextFlushAt());
        s.alerts().forEach(a -> {
          g.alerts.put(a.fingerprint(), a);
          groupOf.put(member(s.route(), a), key(s.route(), s.labels()));
        });
        g.told.putAll(s.told());
        groups.put(key(s.route(), s.labels()), g);
      }
      log.info("restored {} aggregation groups from {}", groups.size(), file);
    } catch (IOException | RuntimeException e) {
      groups.clear();
      groupOf.clear();
      Quarantine.setAside(file, "aggregation groups", e, "starting without them", Clock.systemUTC(), log);
    }
  }
}
