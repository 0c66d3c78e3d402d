package io.tocsin.rules;

import com.github.mustachejava.MustacheException;
import io.tocsin.query.QueryException;
import io.tocsin.query.eval.Query;
import io.tocsin.query.promql.PromQlTranslator;
import io.tocsin.store.MetricKind;
import io.tocsin.util.Durations;
import io.tocsin.util.Suggestions;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reads one entry of {@code monitors:} (design section 2), adding an error for each problem. */
public final class MonitorParser {
  static final Set<String> KEYS = Set.of("name", "type", "metrics", "query", "column", "column_unit",
      "min_allowed_value", "max_allowed_value", "recovery_min_value", "recovery_max_value", "for_duration",
      "check_num_point", "grouping_interval", "evaluation_delay", "keep_firing_for", "absent_points",
      "repeat_interval", "repeat_strategy", "repeat_limit", "labels", "annotations", "channels", "paused", "datasource",
      "levels");
  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  static final Duration MAX_EVALUATION_DELAY = Duration.ofSeconds(30);

  private MonitorParser() {}

  /** The monitor, or null when it has errors (which are added to {@code errors}). */
  public static MonitorDefinition parse(YamlNode.Mapping node, Set<String> channelNames, List<ConfigError> errors) {
    return parse(node, channelNames, null, errors);
  }

  /**
   * Like {@link #parse(YamlNode.Mapping, Set, List)}, knowing the datasources: their names and
   * metric kinds by name ({@code null}: not known here, as in {@code tocsin check}, which then
   * translates with the suffix rule and leaves names to the server).
   */
  public static MonitorDefinition parse(YamlNode.Mapping node, Set<String> channelNames,
      Map<String, Map<String, MetricKind>> datasources, List<ConfigError> errors) {
    int before = errors.size();
    MappingReader m = MappingReader.of(node, "monitor", KEYS, errors);
    String name = m.string("name", null);
    if (name == null || name.isBlank()) {
      errors.add(new ConfigError(node.mark(), "a monitor needs a name"));
      name = "?";
    }
    String type = m.string("type", "metric");
    if (!type.equals("metric")) {
      m.error(m.node("type"), "monitor type \"" + type + "\" is not supported; only metric monitors are");
    }

    List<String> metrics = scalars(m, "metrics", errors);
    List<String> items = scalars(m, "query", errors);
    if (m.node("metrics") == null) {
      errors.add(new ConfigError(node.mark(), "monitor \"" + name + "\" needs metrics, e.g. 'redis_up as $up'"));
    }
    if (m.node("query") == null) {
      errors.add(new ConfigError(node.mark(), "monitor \"" + name + "\" needs a query, e.g. '$up'"));
    }
    Query query = null;
    if (!metrics.isEmpty() && !items.isEmpty()) {
      List<QueryException> problems = new ArrayList<>();
      query = Query.compile(metrics, items, problems);
      for (QueryException e : problems) {
        errors.add(new ConfigError(positionOf(m, e), e.detail()));
      }
    }

    boolean hasLevels = m.has("levels");
    boolean topLevel = m.has("min_allowed_value") || m.has("max_allowed_value");
    if (!topLevel && !hasLevels) {
      errors.add(new ConfigError(node.mark(), "monitor \"" + name
          + "\" needs min_allowed_value or max_allowed_value (or both)"));
    }
    Thresholds thresholds = thresholds(m, "");

    Duration interval = positive(m, "grouping_interval", DEFAULT_INTERVAL, Duration.ofSeconds(1));
    Duration forDuration = forDuration(m, interval);
    List<Level> levels = hasLevels ? LevelParser.levels(m, thresholds, topLevel, forDuration, interval, errors) : List.of();
    if (!levels.isEmpty()) {
      thresholds = levels.get(levels.size() - 1).thresholds();
    }
    Duration delay = m.duration("evaluation_delay", defaultDelay(interval));
    if (delay.isNegative()) {
      m.error(m.node("evaluation_delay"), "evaluation_delay must not be negative");
    }
    Duration keepFiringFor = nonNegative(m, "keep_firing_for", Duration.ZERO);
    RepeatPolicy repeat = repeat(m);

    AbsentPoints absent = AbsentPoints.IGNORE;
    String absentText = m.string("absent_points", null);
    if (absentText != null) {
      try {
        absent = AbsentPoints.valueOf(absentText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        m.error(m.node("absent_points"), "absent_points must be ignore, zero or alert, got \"" + absentText + "\""
            + Suggestions.hint(absentText, List.of("ignore", "zero", "alert")));
      }
    }

    String[] column = column(m, query, name, errors);
    Map<String, String> labels = stringMap(m, "labels", errors);
    Map<String, String> annotations = stringMap(m, "annotations", errors);
    if (m.node("annotations") instanceof YamlNode.Mapping templates) {
      for (YamlNode.Entry entry : templates.entries().values()) {
        String template = annotations.get(entry.key());
        try {
          if (template != null) {
            Annotations.check(template);
          }
        } catch (MustacheException e) {
          errors.add(new ConfigError(entry.value().mark(), "annotations." + entry.key() + " is not a valid template: "
              + e.getMessage().replaceAll(" @\\[.*$", "")));
        }
      }
    }
    List<String> channels = m.strings("channels", List.of());
    YamlNode channelsNode = m.node("channels");
    for (String channel : channels) {
      if (!channelNames.contains(channel)) {
        errors.add(new ConfigError(channelsNode.mark(), "unknown channel \"" + channel + "\""
            + Suggestions.hint(channel, channelNames)
            + (channelNames.isEmpty() ? "; no channels are declared" : "; declared: " + String.join(", ", channelNames))));
      }
    }
    boolean paused = m.bool("paused", false);
    String datasource = datasource(m, query, interval, datasources, errors);

    if (hasLevels && labels.containsKey("severity")) {
      m.error(m.node("labels"), "labels.severity and levels both set the severity label; with levels each alert's "
          + "severity is the level it is at");
    }
    if (errors.size() > before || query == null) {
      return null;
    }
    return new MonitorDefinition(MonitorDefinition.idOf(name), name, metrics, items, query, column[0], column[1],
        thresholds, forDuration, interval, delay, keepFiringFor, absent, repeat, labels, annotations, channels, paused,
        node.mark().file() + ":" + node.mark().line(), datasource, levels);
  }

  /**
   * The thresholds of {@code m} (a monitor, or one of its levels: then {@code prefix} is like
   * {@code "levels.warning."}), with an error for each inconsistency; null when it has none or
   * they are unusable.
   */
  static Thresholds thresholds(MappingReader m, String prefix) {
    Double min = number(m, "min_allowed_value", prefix);
    Double max = number(m, "max_allowed_value", prefix);
    Double recoveryMin = number(m, "recovery_min_value", prefix);
    Double recoveryMax = number(m, "recovery_max_value", prefix);
    boolean ok = min != null || max != null;
    if (min != null && max != null && min > max) {
      m.error(m.node("min_allowed_value"), prefix + "min_allowed_value (" + min + ") is above " + prefix
          + "max_allowed_value (" + max + "): every value would breach");
      ok = false;
    }
    if (recoveryMin != null && min == null) {
      m.error(m.node("recovery_min_value"), prefix + "recovery_min_value needs " + prefix + "min_allowed_value");
      ok = false;
    } else if (recoveryMin != null && recoveryMin < min) {
      m.error(m.node("recovery_min_value"), prefix + "recovery_min_value (" + recoveryMin + ") must not be below "
          + prefix + "min_allowed_value (" + min + ")");
      ok = false;
    }
    if (recoveryMax != null && max == null) {
      m.error(m.node("recovery_max_value"), prefix + "recovery_max_value needs " + prefix + "max_allowed_value");
      ok = false;
    } else if (recoveryMax != null && recoveryMax > max) {
      m.error(m.node("recovery_max_value"), prefix + "recovery_max_value (" + recoveryMax + ") must not be above "
          + prefix + "max_allowed_value (" + max + ")");
      ok = false;
    }
    return ok ? new Thresholds(min, max, recoveryMin, recoveryMax) : null;
  }

  /** {@code repeat_interval} with {@code repeat_strategy} (fixed, linear, exponential) and {@code repeat_limit}. */
  private static RepeatPolicy repeat(MappingReader m) {
    Duration interval = nonNegative(m, "repeat_interval", Duration.ofHours(1));
    RepeatPolicy.Strategy strategy = RepeatPolicy.Strategy.FIXED;
    String text = m.string("repeat_strategy", null);
    if (text != null) {
      strategy = RepeatPolicy.Strategy.of(text.strip());
      if (strategy == null) {
        m.error(m.node("repeat_strategy"), "repeat_strategy must be fixed, linear or exponential, got \"" + text + "\"");
        strategy = RepeatPolicy.Strategy.FIXED;
      }
    }
    int limit = m.integer("repeat_limit", 0, 0);
    return new RepeatPolicy(strategy, interval, limit);
  }

  /** Half the interval, at most 30 s: late exports still count, alerts are not late by much. */
  static Duration defaultDelay(Duration interval) {
    Duration half = interval.dividedBy(2);
    return half.compareTo(MAX_EVALUATION_DELAY) > 0 ? MAX_EVALUATION_DELAY : half;
  }

  /** for_duration, or check_num_point intervals; a whole number of intervals, 5 by default. */
  static Duration forDuration(MappingReader m, Duration interval) {
    if (m.has("for_duration") && m.has("check_num_point")) {
      m.error(m.node("check_num_point"), "check_num_point and for_duration say the same thing; keep one");
    }
    if (m.has("check_num_point")) {
      return interval.multipliedBy(m.integer("check_num_point", 5, 1));
    }
    Duration forDuration = nonNegative(m, "for_duration", interval.multipliedBy(5));
    if (!interval.isZero() && forDuration.toMillis() % interval.toMillis() != 0) {
      m.error(m.node("for_duration"), "for_duration (" + Durations.format(forDuration)
          + ") must be a whole number of grouping intervals (" + Durations.format(interval) + ")");
    }
    return forDuration;
  }

  private static Duration positive(MappingReader m, String key, Duration defaultValue, Duration min) {
    Duration d = m.duration(key, defaultValue);
    if (d.compareTo(min) < 0) {
      m.error(m.node(key), key + " must be at least " + Durations.format(min) + ", got " + Durations.format(d));
      return defaultValue;
    }
    return d;
  }

  static Duration nonNegative(MappingReader m, String key, Duration defaultValue) {
    YamlNode node = m.node(key);
    if (node instanceof YamlNode.Scalar s && s.text().trim().startsWith("-")) {
      m.error(node, key + " must not be negative, got " + s.text());
      return defaultValue;
    }
    return m.duration(key, defaultValue);
  }

  private static Double number(MappingReader m, String key, String prefix) {
    String text = m.string(key, null);
    if (text == null) {
      return null;
    }
    try {
      double v = Double.parseDouble(text.trim());
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    m.error(m.node(key), prefix + key + " must be a number, got \"" + text + "\"");
    return null;
  }

  /** A list of strings, each remembered with its node for error positions. */
  private static List<String> scalars(MappingReader m, String key, List<ConfigError> errors) {
    YamlNode node = m.node(key);
    if (node == null) {
      return List.of();
    }
    List<String> values = new ArrayList<>();
    for (YamlNode item : items(node)) {
      if (item instanceof YamlNode.Scalar s && !s.isNull()) {
        values.add(s.text());
      } else {
        errors.add(new ConfigError(item.mark(), key + " must list strings, got " + item.describe()));
      }
    }
    if (values.isEmpty() && node instanceof YamlNode.Sequence) {
      errors.add(new ConfigError(node.mark(), key + " must not be empty"));
    }
    return values;
  }

  private static List<YamlNode> items(YamlNode node) {
    return node instanceof YamlNode.Sequence seq ? seq.items() : List.of(node);
  }

  /**
   * {@code datasource:}, or null for the local store. Its query is translated to PromQL here so
   * that a construct without a faithful translation is an error at its place in the file.
   */
  private static String datasource(MappingReader m, Query query, Duration interval,
      Map<String, Map<String, MetricKind>> datasources, List<ConfigError> errors) {
    String name = m.string("datasource", null);
    if (name == null) {
      return null;
    }
    if (datasources != null && !datasources.containsKey(name)) {
      m.error(m.node("datasource"), "unknown datasource \"" + name + "\"" + Suggestions.hint(name, datasources.keySet())
          + (datasources.isEmpty() ? "; tocsin.yml declares no datasources" : "; declared: "
          + String.join(", ", new TreeSet<>(datasources.keySet()))));
      return name;
    }
    if (query != null) {
      Map<String, MetricKind> kinds = datasources == null ? Map.of() : datasources.get(name);
      try {
        PromQlTranslator.translate(query.metrics(), query.items(), interval, kinds);
      } catch (QueryException e) {
        errors.add(new ConfigError(positionOf(m, e), "datasource " + name + ": " + e.detail()));
      }
    }
    return name;
  }

  /** The file position of a query error: the item's position plus the error's inside it. */
  private static Mark positionOf(MappingReader m, QueryException e) {
    String key = e.source() == QueryException.Source.METRICS ? "metrics" : "query";
    YamlNode node = m.node(key);
    List<YamlNode> list = node == null ? List.of() : items(node);
    if (e.index() >= 0 && e.index() < list.size() && list.get(e.index()) instanceof YamlNode.Scalar s) {
      return s.at(e.position().line(), e.position().column());
    }
    return node == null ? m.mark() : node.mark();
  }

  /**
   * The checked column and its unit: {@code column} (a name or {name, unit}) and {@code
   * column_unit}, or the query's last column not starting with '_'.
   */
  private static String[] column(MappingReader m, Query query, String monitor, List<ConfigError> errors) {
    String name = null;
    String unit = m.string("column_unit", "");
    YamlNode node = m.node("column");
    if (node instanceof YamlNode.Mapping) {
      MappingReader c = MappingReader.of(node, "column", Set.of("name", "unit"), errors);
      name = c.string("name", null);
      if (c.has("unit")) {
        unit = c.string("unit", "");
      }
    } else if (node != null) {
      name = m.string("column", null);
    }
    if (query == null) {
      return new String[] {name, unit};
    }
    List<String> checkable = query.columns().stream().filter(c -> !c.helper()).map(Query.Column::name).toList();
    if (name == null) {
      if (checkable.isEmpty()) {
        errors.add(new ConfigError(m.mark(), "monitor \"" + monitor + "\" has only helper columns (starting with _); "
            + "it needs a column to check"));
        return new String[] {null, unit};
      }
      return new String[] {checkable.get(checkable.size() - 1), unit};
    }
    if (!checkable.contains(name)) {
      errors.add(new ConfigError(node.mark(), "column \"" + name + "\" is not a column of the query"
          + Suggestions.hint(name, checkable) + "; columns: " + String.join(", ", checkable)));
    }
    return new String[] {name, unit};
  }

  private static Map<String, String> stringMap(MappingReader m, String key, List<ConfigError> errors) {
    YamlNode node = m.node(key);
    if (node == null) {
      return Map.of();
    }
    if (!(node instanceof YamlNode.Mapping mapping)) {
      m.error(node, key + " must be a mapping of names to strings, got " + node.describe());
      return Map.of();
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (YamlNode.Entry entry : mapping.entries().values()) {
      if (entry.value() instanceof YamlNode.Scalar s && !s.isNull()) {
        result.put(entry.key(), s.text());
      } else {
        errors.add(new ConfigError(entry.value().mark(), key + "." + entry.key() + " must be a string, got "
            + entry.value().describe()));
      }
    }
    return result;
  }
}
