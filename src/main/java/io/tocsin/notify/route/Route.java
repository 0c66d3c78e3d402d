package io.tocsin.notify.route;

import io.tocsin.notify.silence.Matcher;
import io.tocsin.yaml.Mark;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A node of the routing tree, with Alertmanager's semantics. An alert enters at the root; at each
 * node whose matchers it satisfies it tries the children in order, stops at the first that
 * matches unless that child says {@code continue}, and ends at the node itself when no child
 * matches. Every node it ends at is one route it takes.
 *
 * <p>A child without {@code channels} sends where its parent does, resolved when the route is
 * built, as Alertmanager does with receivers; so do the grouping settings, each on its own. Mute
 * and active time intervals are not inherited, as in Alertmanager.
 *
 * <p>Immutable.
 */
public final class Route {
  private final String path;
  private final Mark mark;
  private final List<Matcher> matchers;
  private final List<String> channels;
  private final boolean everyChannel;
  private final boolean continueMatching;
  private final List<String> muteTimeIntervals;
  private final List<String> activeTimeIntervals;
  private final Grouping grouping;
  private final List<Route> routes;

  Route(String path, Mark mark, List<Matcher> matchers, Collection<String> channels, boolean everyChannel,
      boolean continueMatching, List<String> muteTimeIntervals,
      List<String> activeTimeIntervals, Grouping grouping, List<Route> routes) {
    this.path = path;
    this.mark = mark;
    this.matchers = List.copyOf(matchers);
    this.channels = List.copyOf(new LinkedHashSet<>(channels));
    this.everyChannel = everyChannel;
    this.continueMatching = continueMatching;
    this.muteTimeIntervals = List.copyOf(muteTimeIntervals);
    this.activeTimeIntervals = List.copyOf(activeTimeIntervals);
    this.grouping = grouping;
    this.routes = List.copyOf(routes);
  }

  /** This route with other child routes. */
  Route withRoutes(List<Route> children) {
    return new Route(path, mark, matchers, channels, everyChannel, continueMatching, muteTimeIntervals,
        activeTimeIntervals, grouping, children);
  }

  /** The routes an alert with {@code labels} takes, in tree order; empty when it does not reach this node. */
  public List<Route> match(Map<String, String> labels) {
    if (!matches(labels)) {
      return List.of();
    }
    List<Route> taken = new ArrayList<>();
    for (Route child : routes) {
      List<Route> below = child.match(labels);
      taken.addAll(below);
      if (!below.isEmpty() && !child.continueMatching) {
        break;
      }
    }
    return taken.isEmpty() ? List.of(this) : taken;
  }

  /** Whether {@code labels} satisfy this node's own matchers (not its parents'). */
  public boolean matches(Map<String, String> labels) {
    for (Matcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where the route is in the tree, stable while the file does not change: {@code root}, {@code
   * root/0}, {@code root/0/2}, or {@code monitor/<id>} for a monitor's own {@code channels:}.
   */
  public String path() {
    return path;
  }

  /** Where the route is written; the root's is where the first {@code routes:} is. */
  public Mark mark() {
    return mark;
  }

  public List<Matcher> matchers() {
    return matchers;
  }

  /** Whether this route sends to every channel: the root when it names none. */
  public boolean everyChannel() {
    return everyChannel;
  }

  /** The channels this route sends to, as written; empty with {@link #everyChannel()}. */
  public List<String> channels() {
    return channels;
  }

  /** Whether this route sends to channel {@code name}. */
  public boolean sendsTo(String name) {
    return everyChannel || channels.contains(name);
  }

  public boolean continueMatching() {
    return continueMatching;
  }

  public List<String> muteTimeIntervals() {
    return muteTimeIntervals;
  }

  public List<String> activeTimeIntervals() {
    return activeTimeIntervals;
  }

  /**
   * How this route batches alerts, when it sets or inherits any of {@code group_by}, {@code
   * group_wait}, {@code group_interval}, {@code repeat_interval}; null when it sends each monitor
   * evaluation's alerts at once, as a monitor's own {@code channels:} does.
   */
  public Grouping grouping() {
    return grouping;
  }

  public List<Route> routes() {
    return routes;
  }

  @Override
  public String toString() {
    return path;
  }
}
