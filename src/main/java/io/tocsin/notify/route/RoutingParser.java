package io.tocsin.notify.route;

import io.tocsin.notify.silence.Matcher;
import io.tocsin.util.Suggestions;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
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
      "mute_time_intervals", "active_time_intervals", "routes", "group_by", "group_wait", "group_interval",
      "repeat_interval");
  /** Alertmanager's {@code group_by} value for "every label set is its own group". */
  private static final String EVERY_LABEL = "...";
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
          false, List.of(), List.of(), null, List.of()));
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
    return new Route("root", mark, List.of(), List.of(), true, false, List.of(), List.of(), null, children);
  }

  private Route route(YamlNode node, String path, Route parent) {
    MappingReader r = MappingReader.of(node, "route", ROUTE_KEYS, errors);
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
    Grouping grouping = grouping(r, parent.grouping());
    Route shape = new Route(path, r.mark(), matchers, channels, everyChannel, r.bool("continue", false), mute, active,
        grouping, List.of());
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
        grouping, children);
  }

  /**
   * The grouping of a route: each setting it leaves out comes from its parent, or from
   * Alertmanager's defaults when the parent does not aggregate; null when neither it nor any
   * parent sets one, so that routes written before grouping existed behave as they did.
   */
  private static Grouping grouping(MappingReader r, Grouping parent) {
    boolean sets = r.has("group_by") || r.has("group_wait") || r.has("group_interval") || r.has("repeat_interval");
    if (!sets) {
      return parent;
    }
    Grouping base = parent == null ? Grouping.DEFAULTS : parent;
    List<String> by = base.by();
    boolean byAll = base.byAll();
    if (r.has("group_by")) {
      by = r.strings("group_by", List.of()).stream().map(l -> l.equals("monitor") ? ALERTNAME : l).distinct().toList();
      byAll = by.contains(EVERY_LABEL);
      if (byAll && by.size() > 1) {
        r.error(r.node("group_by"), "group_by: '...' groups by every label and cannot be combined with other labels");
      }
      by = byAll ? List.of() : by;
    }
    Duration wait = r.duration("group_wait", base.groupWait());
    Duration interval = positive(r, "group_interval", base.groupInterval());
    Duration repeat = positive(r, "repeat_interval", base.repeatInterval());
    return new Grouping(by, byAll, wait, interval, repeat);
  }

  /** A duration that must be above zero, as Alertmanager requires for group_interval and repeat_interval. */
  private static Duration positive(MappingReader r, String key, Duration inherited) {
    Duration d = r.duration(key, inherited);
    if (d.isZero() || d.isNegative()) {
      r.error(r.node(key), key + " must be longer than 0s");
      return inherited;
    }
    return d;
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
