package io.tocsin.ruletest;

import io.tocsin.util.Durations;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import io.tocsin.yaml.YamlReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A rule test file (design section 6), read and checked with every error's position. */
record RuleTestFile(Path file, List<Path> ruleFiles, List<TestCase> tests) {
  enum SeriesType { GAUGE, COUNTER, DELTA_COUNTER, ADDITIVE }

  record InputSeries(SeriesNotation.Series series, SeriesType type, List<Double> values) {}

  record ExpectedAlert(Map<String, String> labels, String state, Map<String, String> annotations) {}

  record AlertTest(Duration evalTime, String monitor, List<ExpectedAlert> alerts) {}

  record ExpectedValue(Map<String, String> labels, double value) {}

  /** The values of a monitor's groups at {@code evalTime}, equal within {@code tolerance}. */
  record ValueTest(Duration evalTime, String monitor, List<ExpectedValue> values, double tolerance) {}

  /** A test; {@code warnings} are likely mistakes that do not stop it from running. */
  record TestCase(String name, Duration interval, List<InputSeries> series, List<AlertTest> alertTests,
      List<ValueTest> valueTests, List<ConfigError> warnings) {}

  /** promtool's default: values match to about six significant digits. */
  static final double DEFAULT_TOLERANCE = 1e-6;

  /**
   * Name parts of series that count things. promtool series have no type and Tocsin's default
   * is gauge, so a ported counter without {@code type: counter} would be read as a gauge.
   */
  private static final Set<String> COUNTER_WORDS = Set.of("total", "count", "sum", "bucket", "hits", "misses",
      "errors", "failures", "requests", "processed", "received", "sent");

  private static final Set<String> TOP = Set.of("rule_files", "tests");
  private static final Set<String> TEST = Set.of("name", "interval", "input_series", "alert_rule_test", "query_test");
  private static final Set<String> SERIES = Set.of("series", "type", "values");
  private static final Set<String> ALERT_TEST = Set.of("eval_time", "monitor", "alertname", "exp_alerts");
  private static final Set<String> QUERY_TEST = Set.of("eval_time", "monitor", "alertname", "exp_values", "tolerance");
  private static final Set<String> VALUE = Set.of("labels", "value");
  private static final Set<String> ALERT = Set.of("exp_labels", "exp_state", "exp_annotations");

  static RuleTestFile read(Path file) throws ConfigException {
    String text = YamlReader.readFile(file, "test file");
    List<ConfigError> errors = new ArrayList<>();
    YamlNode root = new YamlReader(System::getenv).read(file.toString(), text, errors);
    MappingReader top = MappingReader.of(root, "", TOP, errors);
    Path base = file.toAbsolutePath().getParent();
    List<Path> ruleFiles = top.strings("rule_files", List.of()).stream().map(base::resolve).map(Path::normalize).toList();
    if (ruleFiles.isEmpty()) {
      errors.add(new ConfigError(top.mark(), "rule_files is required: the rule files under test"));
    }
    List<TestCase> tests = new ArrayList<>();
    for (YamlNode node : items(top.node("tests"), "tests", errors)) {
      MappingReader t = MappingReader.of(node, "test", TEST, errors);
      String name = t.string("name", "test at line " + node.mark().line());
      Duration interval = t.duration("interval", Duration.ofMinutes(1));
      if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
        t.error(t.node("interval"), "interval must be at least 1s");
        interval = Duration.ofMinutes(1);
      }
      List<InputSeries> series = new ArrayList<>();
      List<ConfigError> warnings = new ArrayList<>();
      for (YamlNode s : items(t.node("input_series"), "input_series", errors)) {
        MappingReader sr = MappingReader.of(s, "input series", SERIES, errors);
        try {
          SeriesNotation.Series parsed = SeriesNotation.parseSeries(sr.string("series", ""));
          if (!sr.has("type") && looksLikeACounter(parsed.metric())) {
            warnings.add(new ConfigError(s.mark(), "series " + parsed.metric() + " is named like a counter but has"
                + " no type, so it is a gauge; add type: counter (a cumulative total, as promtool series are),"
                + " or type: gauge to keep it"));
          }
          String typeText = sr.string("type", "gauge");
          SeriesType type;
          try {
            type = SeriesType.valueOf(typeText.toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            sr.error(sr.node("type"), "type must be gauge, counter, delta_counter or additive, got \"" + typeText + "\"");
            continue;
          }
          series.add(new InputSeries(parsed, type, SeriesNotation.parseValues(sr.string("values", ""))));
        } catch (IllegalArgumentException e) {
          errors.add(new ConfigError(s.mark(), e.getMessage()));
        }
      }
      List<AlertTest> alertTests = new ArrayList<>();
      for (YamlNode a : items(t.node("alert_rule_test"), "alert_rule_test", errors)) {
        MappingReader ar = MappingReader.of(a, "alert_rule_test", ALERT_TEST, errors);
        Duration evalTime = ar.duration("eval_time", null);
        String monitor = monitorName(ar);
        if (evalTime == null || monitor == null) {
          errors.add(new ConfigError(a.mark(), "each alert_rule_test needs eval_time and monitor (or alertname)"));
          continue;
        }
        List<ExpectedAlert> expected = new ArrayList<>();
        for (YamlNode e : items(ar.node("exp_alerts"), "exp_alerts", errors)) {
          MappingReader er = MappingReader.of(e, "exp_alerts entry", ALERT, errors);
          String state = er.string("exp_state", "firing");
          if (!state.equals("firing") && !state.equals("pending")) {
            er.error(er.node("exp_state"), "exp_state must be firing or pending, got \"" + state + "\"");
          }
          expected.add(new ExpectedAlert(map(er, "exp_labels", errors), state, map(er, "exp_annotations", errors)));
        }
        alertTests.add(new AlertTest(evalTime, monitor, expected));
      }
      List<ValueTest> valueTests = new ArrayList<>();
      for (YamlNode q : items(t.node("query_test"), "query_test", errors)) {
        valueTest(q, errors).ifPresent(valueTests::add);
      }
      tests.add(new TestCase(name, interval, series, alertTests, valueTests, warnings));
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return new RuleTestFile(file, ruleFiles, tests);
  }

  private static Optional<ValueTest> valueTest(YamlNode node, List<ConfigError> errors) {
    MappingReader qr = MappingReader.of(node, "query_test", QUERY_TEST, errors);
    Duration evalTime = qr.duration("eval_time", null);
    String monitor = monitorName(qr);
    double tolerance = number(qr, "tolerance", DEFAULT_TOLERANCE);
    if (tolerance < 0) {
      qr.error(qr.node("tolerance"), "tolerance must be at least 0");
    }
    List<ExpectedValue> values = new ArrayList<>();
    for (YamlNode v : items(qr.node("exp_values"), "exp_values", errors)) {
      MappingReader vr = MappingReader.of(v, "exp_values entry", VALUE, errors);
      if (!vr.has("value")) {
        errors.add(new ConfigError(v.mark(), "each exp_values entry needs a value"));
        continue;
      }
      values.add(new ExpectedValue(map(vr, "labels", errors), number(vr, "value", Double.NaN)));
    }
    if (evalTime == null || monitor == null) {
      errors.add(new ConfigError(node.mark(), "each query_test needs eval_time and monitor (or alertname)"));
      return Optional.empty();
    }
    return Optional.of(new ValueTest(evalTime, monitor, values, tolerance));
  }

  private static double number(MappingReader reader, String key, double defaultValue) {
    String text = reader.string(key, null);
    if (text == null) {
      return defaultValue;
    }
    try {
      double value = Double.parseDouble(text);
      if (Double.isFinite(value)) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    reader.error(reader.node(key), key + " must be a number, got \"" + text + "\"");
    return defaultValue;
  }

  private static boolean looksLikeACounter(String metric) {
    String[] words = metric.toLowerCase(Locale.ROOT).split("[_.]");
    return words.length > 0 && (COUNTER_WORDS.contains(words[words.length - 1]) || words[0].equals("total"));
  }

  /** The monitor under test: {@code monitor}, or {@code alertname} as promtool files say. */
  private static String monitorName(MappingReader reader) {
    String monitor = reader.string("monitor", null);
    String alertname = reader.string("alertname", null);
    if (monitor != null && alertname != null) {
      reader.error(reader.node("alertname"), "give monitor or alertname (its promtool name), not both");
    }
    return monitor != null ? monitor : alertname;
  }

  private static List<YamlNode> items(YamlNode node, String what, List<ConfigError> errors) {
    if (node == null) {
      return List.of();
    }
    if (node instanceof YamlNode.Sequence seq) {
      return seq.items();
    }
    errors.add(new ConfigError(node.mark(), what + " must be a list, got " + node.describe()));
    return List.of();
  }

  private static Map<String, String> map(MappingReader reader, String key, List<ConfigError> errors) {
    YamlNode node = reader.node(key);
    Map<String, String> result = new LinkedHashMap<>();
    if (node == null) {
      return result;
    }
    if (!(node instanceof YamlNode.Mapping mapping)) {
      reader.error(node, key + " must be a mapping, got " + node.describe());
      return result;
    }
    for (YamlNode.Entry entry : mapping.entries().values()) {
      if (entry.value() instanceof YamlNode.Scalar s && !s.isNull()) {
        result.put(entry.key(), s.text());
      } else {
        errors.add(new ConfigError(entry.value().mark(), key + "." + entry.key() + " must be a string"));
      }
    }
    return result;
  }

  static String format(Duration d) {
    return Durations.format(d);
  }
}
