package io.tocsin.notify.route;

import io.tocsin.notify.silence.Matcher;
import io.tocsin.util.Suggestions;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code routes:}, {@code inhibit_rules:} and {@code time_intervals:} of the rule files,
 * with every problem as a positioned error, and the things that work but are probably mistakes
 * (a route no alert can reach, a channel no route uses) as positioned warnings.
 */
public final class RoutingParser {
  private static final Set<String> ROUTE_KEYS = Set.of("matchers", "match", "match_re", "channels", "continue",
      "mute_time_intervals", "active_time_intervals", "routes");
  /**
   * Alertmanager's grouping keys. Tocsin already sends one message per monitor evaluation and
   * channel and repeats per monitor; regrouping across monitors is not built yet, so these are
   * refused with what to do instead rather than accepted and ignored.
   */
  private static final Map<String, String> NOT_YET = Map.of(
      "group_by", "alerts are grouped per monitor: one message per monitor evaluation and channel",
      "group_wait", "a monitor's alerts go out when its evaluation ends; for_duration delays the first",
      "group_interval", "a monitor's changes go out at its next evaluation, every grouping_interval",
      "repeat_interval", "set repeat_interval on the monitor");
  private static final Set<String> INHIBIT_KEYS = Set.of("source_matchers", "target_matchers", "equal");
  /** The label that names the monitor, as Alertmanager's alertname. */
  static final String ALERTNAME = "alertname";
  /** The path prefix of a monitor's own route. */
  static final String MONITOR_ROUTE = "monitor/";

  /** A monitor's own {@code channels:}: a route on that monitor, tried before the tree; {@code mark} may be null. */
  public record MonitorChannels(String monitorId, String monitorName, List<String> channels, Mark mark) {}

  private final Set<String> channelNames;
  private final List<ConfigError> errors;
  private final List<ConfigError> warnings;
  private Set<String> intervalNames = Set.of();

  private RoutingParser(Set<String> channelNames, List<ConfigError> errors, List<ConfigError> warnings) {
    this.channelNames = channelNames;
    this.errors = errors;
    this.warnings = warnings;
  }

  /**
   * The routing of all rule files: {@code routes} are the items of every file's {@code routes:} in
   * file order, and so on.
   */
  public static Routing parse(List<YamlNode> routes, List<YamlNode> inhibitRules, List<YamlNode> timeIntervals,
      List<MonitorChannels> monitorChannels, Set<String> channelNames, List<ConfigError> errors,
      List<ConfigError> warnings) {
    RoutingParser parser = new RoutingParser(channelNames, errors, warnings);
    Map<String, List<TimeInterval>> intervals = TimeIntervalParser.parse(timeIntervals, errors);
    parser.intervalNames = intervals.keySet();
    List<Route> children = new ArrayList<>();
    for (MonitorChannels m : monitorChannels) {
      children.add(new Route(MONITOR_ROUTE + m.monitorId(), m.mark(),
          List.of(Matcher.of(ALERTNAME, Matcher.Operator.EQUAL, m.monitorName())), m.channels(), false,
          false, List.of(), List.of(), List.of()));
    }
    Mark rootMark = routes.isEmpty() ? null : routes.get(0).mark();
    Route defaults = root(List.of(), rootMark);
    for (int i = 0; i < routes.size(); i++) {
      Route child = parser.route(routes.get(i), "root/" + i, defaults);
      if (child != null) {
        children.add(child);
      }
    }
    Route root = root(children, rootMark);
    parser.warnUnreachable(root);
    if (!routes.isEmpty()) {
      parser.warnUnusedChannels(root);
    }
    List<InhibitRule> rules = new ArrayList<>();
    for (YamlNode node : inhibitRules) {
      InhibitRule rule = parser.inhibitRule(node);
      if (rule != null) {
        rules.add(rule);
      }
    }
    return new Routing(root, rules, intervals);
  }

  /** The implicit root: every alert, every channel. */
  static Route root(List<Route> children, Mark mark) {
    return new Route("root", mark, List.of(), List.of(), true, false, List.of(), List.of(), children);
  }

  private Route route(YamlNode node, String path, Route parent) {
    if (node instanceof YamlNode.Mapping mapping) {
      for (YamlNode.Entry e : mapping.entries().values()) {
        String instead = NOT_YET.get(e.key());
        if (instead != null) {
          errors.add(new ConfigError(e.keyMark(), e.key() + " on routes is not supported yet: " + instead));
        }
      }
    }
    Set<String> keys = new HashSet<>(ROUTE_KEYS);
    keys.addAll(NOT_YET.keySet());
    MappingReader r = MappingReader.of(node, "route", keys, errors);
    if (!(node instanceof YamlNode.Mapping)) {
      return null;
    }
    List<Matcher> matchers = matchers(r, "matchers");
    matchers.addAll(legacyMatchers(r, "match", Matcher.Operator.EQUAL));
    matchers.addAll(legacyMatchers(r, "match_re", Matcher.Operator.REGEX));
    List<String> channels = parent.channels();
    boolean everyChannel = parent.everyChannel();
    if (r.has("channels")) {
      channels = r.strings("channels", List.of());
      everyChannel = false;
      for (String channel : channels) {
        if (!channelNames.contains(channel)) {
          r.error(r.node("channels"), "unknown channel \"" + channel + "\"" + Suggestions.hint(channel, channelNames));
        }
      }
    }
    List<String> mute = intervals(r, "mute_time_intervals");
    List<String> active = intervals(r, "active_time_intervals");
    Route shape = new Route(path, r.mark(), matchers, channels, everyChannel, r.bool("continue", false), mute, active,
        List.of());
    List<Route> children = new ArrayList<>();
    YamlNode nested = r.node("routes");
    if (nested instanceof YamlNode.Sequence seq) {
      for (int i = 0; i < seq.items().size(); i++) {
        Route child = route(seq.items().get(i), path + "/" + i, shape);
        if (child != null) {
          children.add(child);
        }
      }
    } else if (nested != null) {
      r.error(nested, "routes must be a list, got " + nested.describe());
    }
    return new Route(path, r.mark(), matchers, channels, everyChannel, shape.continueMatching(), mute, active,
        children);
  }

  private List<Matcher> matchers(MappingReader r, String key) {
    List<Matcher> matchers = new ArrayList<>();
    YamlNode node = r.node(key);
    List<YamlNode> items = node instanceof YamlNode.Sequence seq ? seq.items() : node == null ? List.of() : List.of(node);
    for (YamlNode item : items) {
      if (!(item instanceof YamlNode.Scalar s) || s.isNull()) {
        r.error(item, key + " must list matchers such as severity=\"critical\", got " + item.describe());
        continue;
      }
      try {
        matchers.add(Matcher.parse(s.text()));
      } catch (IllegalArgumentException e) {
        r.error(item, key + ": " + e.getMessage());
      }
    }
    return matchers;
  }

  /** Alertmanager's older {@code match:} and {@code match_re:} mappings of label to value. */
  private List<Matcher> legacyMatchers(MappingReader r, String key, Matcher.Operator operator) {
    YamlNode node = r.node(key);
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof YamlNode.Mapping m)) {
      r.error(node, key + " must map label names to values, got " + node.describe());
      return List.of();
    }
    List<Matcher> matchers = new ArrayList<>();
    for (YamlNode.Entry e : m.entries().values()) {
      if (!(e.value() instanceof YamlNode.Scalar s) || s.isNull()) {
        r.error(e.value(), key + "." + e.key() + " must be a single value, got " + e.value().describe());
        continue;
      }
      try {
        matchers.add(Matcher.of(e.key(), operator, s.text()));
      } catch (IllegalArgumentException ex) {
        r.error(e.value(), key + "." + e.key() + ": " + ex.getMessage());
      }
    }
    return matchers;
  }

  private List<String> intervals(MappingReader r, String key) {
    List<String> names = r.strings(key, List.of());
    for (String name : names) {
      if (!intervalNames.contains(name)) {
        r.error(r.node(key), "unknown time interval \"" + name + "\"" + (intervalNames.isEmpty()
            ? ": define it under time_intervals:" : Suggestions.hint(name, intervalNames)));
      }
    }
    return names;
  }

  private InhibitRule inhibitRule(YamlNode node) {
    MappingReader r = MappingReader.of(node, "inhibit rule", INHIBIT_KEYS, errors);
    if (!(node instanceof YamlNode.Mapping)) {
      return null;
    }
    List<Matcher> source = matchers(r, "source_matchers");
    List<Matcher> target = matchers(r, "target_matchers");
    if (source.isEmpty() || target.isEmpty()) {
      errors.add(new ConfigError(r.mark(), "an inhibit rule needs source_matchers and target_matchers; without "
          + "them it would mute every alert"));
    }
    List<String> equal = r.strings("equal", List.of()).stream().map(l -> l.equals("monitor") ? ALERTNAME : l)
        .toList();
    return new InhibitRule(r.mark(), source, target, equal);
  }

  /** A route after a sibling that matches everything and does not continue never sees an alert. */
  private void warnUnreachable(Route route) {
    Route catchAll = null;
    for (Route child : route.routes()) {
      if (catchAll != null && child.mark() != null) {
        warnings.add(new ConfigError(child.mark(), "route " + child.path() + " is never reached: route "
            + catchAll.path() + " (" + catchAll.mark() + ") matches every alert and has no continue: true"));
        continue;
      }
      if (child.matchers().isEmpty() && !child.continueMatching()) {
        catchAll = child;
      }
      warnUnreachable(child);
    }
  }

  private void warnUnusedChannels(Route root) {
    Set<String> used = new LinkedHashSet<>();
    boolean everyChannel = isReachable(root);
    for (Route child : root.routes()) {
      everyChannel |= collectUsed(child, used);
    }
    if (everyChannel) {
      return;
    }
    for (String channel : channelNames) {
      if (!used.contains(channel)) {
        warnings.add(new ConfigError(root.mark(), "channel \"" + channel + "\" is not used by any route or monitor"));
      }
    }
  }

  /** Whether an alert can end at the root: no top-level route matches everything without continue. */
  private static boolean isReachable(Route root) {
    return root.routes().stream().noneMatch(r -> r.matchers().isEmpty() && !r.continueMatching());
  }

  /** Adds the channels of {@code route} and below; true when one of them sends to every channel. */
  private static boolean collectUsed(Route route, Set<String> used) {
    boolean every = route.everyChannel();
    used.addAll(route.channels());
    for (Route child : route.routes()) {
      every |= collectUsed(child, used);
    }
    return every;
  }
}
