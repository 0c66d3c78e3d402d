package io.tocsin.notify.route;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where alerts go: the routing tree, the inhibition rules and the named time intervals its routes
 * refer to, read together from the rule files ({@link RoutingParser}).
 *
 * <p>Immutable.
 */
public final class Routing {
  /** No {@code routes:}: every alert goes to every channel, as before routes existed. */
  public static final Routing DEFAULT = new Routing(RoutingParser.root(List.of(), null), List.of(), Map.of());

  private final Route root;
  /**
   * The monitors' own routes by monitor name. They come first in the tree, match only the monitor
   * and do not continue, so an alert of such a monitor takes exactly that route: looked up here
   * instead of tried one by one for every alert (a thousand monitors with {@code channels:}).
   */
  private final Map<String, Route> byMonitor = new HashMap<>();
  /** The root without the monitors' routes: where the alerts of every other monitor are matched. */
  private final Route tree;
  private final List<InhibitRule> inhibitRules;
  private final Map<String, List<TimeInterval>> timeIntervals;
  /** Every route by its path, for the aggregation groups, which remember their route by path. */
  private final Map<String, Route> byPath = new HashMap<>();

  Routing(Route root, List<InhibitRule> inhibitRules, Map<String, List<TimeInterval>> timeIntervals) {
    this.root = root;
    List<Route> others = new ArrayList<>();
    for (Route child : root.routes()) {
      if (child.path().startsWith(RoutingParser.MONITOR_ROUTE)) {
        byMonitor.put(child.matchers().get(0).value(), child);
      } else {
        others.add(child);
      }
    }
    this.tree = root.withRoutes(others);
    this.inhibitRules = List.copyOf(inhibitRules);
    this.timeIntervals = Map.copyOf(timeIntervals);
    index(root);
  }

  private void index(Route route) {
    byPath.put(route.path(), route);
    route.routes().forEach(this::index);
  }

  /** The route at {@code path} ({@link Route#path()}), or null when there is none now. */
  public Route route(String path) {
    return byPath.get(path);
  }

  public Route root() {
    return root;
  }

  /** The routes an alert with {@code labels} takes (at least the root). */
  public List<Route> routes(Map<String, String> labels) {
    Route own = byMonitor.get(labels.get(RoutingParser.ALERTNAME));
    if (own != null) {
      return List.of(own);
    }
    List<Route> taken = tree.match(labels);
    return taken.isEmpty() ? List.of(root) : taken;
  }

  /** The channels an alert with {@code labels} goes to, out of {@code channels}, in their order. */
  public List<String> channels(Map<String, String> labels, List<String> channels) {
    List<Route> taken = routes(labels);
    return channels.stream().filter(c -> taken.stream().anyMatch(r -> r.sendsTo(c))).toList();
  }

  public List<InhibitRule> inhibitRules() {
    return inhibitRules;
  }

  public Set<String> timeIntervalNames() {
    return timeIntervals.keySet();
  }

  /**
   * Why {@code route} does not notify at {@code at}: the name of the mute interval it is in, or
   * of its active intervals it is outside of; null when it notifies. A mute interval wins over
   * an active one, as in Alertmanager.
   */
  public String mutedBy(Route route, Instant at) {
    for (String name : route.muteTimeIntervals()) {
      if (contains(name, at)) {
        return "mute_time_intervals: " + name;
      }
    }
    if (route.activeTimeIntervals().isEmpty()) {
      return null;
    }
    for (String name : route.activeTimeIntervals()) {
      if (contains(name, at)) {
        return null;
      }
    }
    return "outside active_time_intervals: " + String.join(", ", route.activeTimeIntervals());
  }

  /** Whether {@code at} is inside one of the periods of the named time interval. */
  public boolean contains(String timeInterval, Instant at) {
    return timeIntervals.getOrDefault(timeInterval, List.of()).stream().anyMatch(t -> t.contains(at));
  }
}
