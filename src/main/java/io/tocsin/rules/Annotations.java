package io.tocsin.rules;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import io.tocsin.store.Labels;
import io.tocsin.util.Numbers;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Monitor annotations are Mustache templates over the alert: {@code {{monitor}}}, {@code
 * {{labels.host_name}}}, {@code {{value}}}, {@code {{threshold}}}, {@code {{unit}}}, {@code
 * {{state}}}. Values are escaped for where they go (Slack, HTML, Telegram) by the caller's
 * escaper; {@code {{{x}}}} inserts a value unescaped.
 */
public final class Annotations {
  private static final Map<String, Mustache> COMPILED = new ConcurrentHashMap<>();

  private Annotations() {}

  /** Checks a template; the exception's message says what is wrong. */
  public static void check(String template) {
    compile(template, UnaryOperator.identity());
  }

  /** Renders the monitor's annotations for one alert as plain text. */
  public static Map<String, String> render(MonitorDefinition monitor, Labels labels, double value, String state) {
    return render(monitor, labels, value, state, "", UnaryOperator.identity());
  }

  /**
   * As {@link #render(MonitorDefinition, Labels, double, String)} for an alert at level {@code
   * severity} (empty without levels): {@code labels.severity} is the level, and {@code threshold}
   * the level's.
   */
  public static Map<String, String> render(MonitorDefinition monitor, Labels labels, double value, String state,
      String severity) {
    return render(monitor, labels, value, state, severity, UnaryOperator.identity());
  }

  /** Renders the monitor's annotations, escaping every inserted value with {@code escape}. */
  public static Map<String, String> render(MonitorDefinition monitor, Labels labels, double value, String state,
      UnaryOperator<String> escape) {
    return render(monitor, labels, value, state, "", escape);
  }

  private static Map<String, String> render(MonitorDefinition monitor, Labels labels, double value, String state,
      String severity, UnaryOperator<String> escape) {
    Thresholds thresholds = monitor.thresholds();
    Map<String, String> labelMap = labels.asMap();
    if (!severity.isEmpty()) {
      labelMap = new TreeMap<>(labelMap);
      labelMap.put("severity", severity);
      for (Level level : monitor.levels()) {
        thresholds = level.name().equals(severity) ? level.thresholds() : thresholds;
      }
    }
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("monitor", monitor.name());
    scope.put("labels", labelMap);
    scope.put("value", Numbers.format(value));
    scope.put("threshold", Numbers.format(thresholds.crossed(Double.isNaN(value) ? Double.NEGATIVE_INFINITY : value)));
    scope.put("unit", monitor.unit());
    scope.put("state", state);
    Map<String, String> rendered = new LinkedHashMap<>();
    monitor.annotations().forEach((name, template) -> {
      StringWriter out = new StringWriter();
      compile(template, escape).execute(out, scope);
      rendered.put(name, out.toString());
    });
    return rendered;
  }

  private static Mustache compile(String template, UnaryOperator<String> escape) {
    if (escape == UnaryOperator.<String>identity()) {
      return COMPILED.computeIfAbsent(template, t -> factory(escape).compile(new StringReader(t), "annotation"));
    }
    return factory(escape).compile(new StringReader(template), "annotation");
  }

  private static DefaultMustacheFactory factory(UnaryOperator<String> escape) {
    return new DefaultMustacheFactory() {
      @Override
      public void encode(String value, Writer writer) {
        try {
          writer.write(escape.apply(value));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
