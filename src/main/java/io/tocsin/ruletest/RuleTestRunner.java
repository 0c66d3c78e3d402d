package io.tocsin.ruletest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.tocsin.ingest.IngestResult;
import io.tocsin.ingest.MetricsTranslator;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rulefiles.RuleSet;
import io.tocsin.rules.Annotations;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.store.Labels;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import io.tocsin.util.Suggestions;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * Runs rule unit tests: writes each test's input series through the real ingest path into a
 * fresh store, then steps the monitor engine, the same code as {@code serve}, interval by
 * interval on a simulated clock (without evaluation delay), and compares the alerts at each
 * {@code eval_time} with the expected ones.
 */
public final class RuleTestRunner {
  /** Test time 0: midnight, so buckets of any interval up to a day line up with it. */
  static final Instant START = Instant.parse("2020-01-01T00:00:00Z");

  /**
   * The outcome of one test; {@code failures} explain each mismatch, empty when it passed, and
   * {@code warnings} point at likely mistakes in its input (a counter left a gauge).
   */
  public record Result(String file, String name, List<String> failures, List<ConfigError> warnings) {
    public boolean passed() {
      return failures.isEmpty();
    }
  }

  /** An expectation at {@code evalTime}, adding to the failures when it is not met. */
  private record Check(Duration evalTime, BiConsumer<MonitorEngine, List<String>> compare) {}

  private RuleTestRunner() {}

  /** Runs every test of a file; problems with the file itself are a {@link ConfigException}. */
  public static List<Result> run(Path testFile) throws ConfigException {
    RuleTestFile file = RuleTestFile.read(testFile);
    RuleSet rules = new RuleFiles(System::getenv).load(file.ruleFiles());
    List<MonitorDefinition> monitors = rules.monitors().stream().map(RuleTestRunner::withoutDelay).toList();
    List<Result> results = new ArrayList<>();
    for (RuleTestFile.TestCase test : file.tests()) {
      results.add(new Result(testFile.toString(), test.name(), runTest(test, monitors), test.warnings()));
    }
    return results;
  }

  private static MonitorDefinition withoutDelay(MonitorDefinition m) {
    return new MonitorDefinition(m.id(), m.name(), m.metrics(), m.queryItems(), m.query(), m.column(), m.unit(),
        m.thresholds(), m.forDuration(), m.groupingInterval(), Duration.ZERO, m.keepFiringFor(), m.absentPoints(),
        m.repeat(), m.labels(), m.annotations(), m.channels(), m.paused(), m.source(), m.datasource(), m.levels());
  }

  private static List<String> runTest(RuleTestFile.TestCase test, List<MonitorDefinition> monitors) {
    long interval = test.interval().toMillis();
    int samples = test.series().stream().mapToInt(s -> s.values().size()).max().orElse(0);
    List<Check> checks = new ArrayList<>();
    test.alertTests().forEach(a -> checks.add(new Check(a.evalTime(), (engine, f) -> compare(a, engine, f))));
    test.valueTests().forEach(v -> checks.add(new Check(v.evalTime(), (engine, f) -> ValueCheck.compare(v, engine, f))));
    checks.sort(Comparator.comparing(Check::evalTime));
    long lastEval = checks.stream().mapToLong(c -> c.evalTime().toMillis()).max().orElse(0);
    long span = Math.max(samples * interval, lastEval) + interval;
    MutableClock clock = new MutableClock(START);
    SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofMillis(span).plusDays(1), 10_000_000, 10_000_000));
    MetricsTranslator translator = new MetricsTranslator(store, clock); // the receiver starts at test time 0
    clock.setMillis(START.toEpochMilli() + span);
    List<String> failures = new ArrayList<>();
    for (RuleTestFile.InputSeries series : test.series()) {
      write(translator, series, interval, failures);
    }
    clock.setMillis(START.toEpochMilli()); // the engine, like the receiver, starts at test time 0
    MonitorEngine engine = MonitorEngine.inMemory(store, (monitor, events) -> { }, clock);
    engine.load(monitors);
    long t = 0;
    for (Check check : checks) {
      long until = check.evalTime().toMillis();
      for (; t <= until; t += interval) {
        clock.setMillis(START.toEpochMilli() + t);
        engine.evaluateDue(clock.millis());
      }
      clock.setMillis(START.toEpochMilli() + until);
      engine.evaluateDue(clock.millis());
      check.compare().accept(engine, failures);
    }
    return failures;
  }

  /** Sends one input series through OTLP translation, a request per sample. */
  private static void write(MetricsTranslator translator, RuleTestFile.InputSeries series, long interval,
      List<String> failures) {
    long streamStart = (START.toEpochMilli() - interval) * 1_000_000;
    for (int i = 0; i < series.values().size(); i++) {
      double value = series.values().get(i);
      if (Double.isNaN(value) && !SeriesNotation.isStale(value)) {
        continue; // _ : no sample
      }
      NumberDataPoint.Builder point = NumberDataPoint.newBuilder()
          .setTimeUnixNano((START.toEpochMilli() + i * interval) * 1_000_000)
          .setStartTimeUnixNano(streamStart);
      if (SeriesNotation.isStale(value)) {
        point.setFlags(1);
      } else {
        point.setAsDouble(value);
      }
      series.series().labels().forEach((k, v) ->
          point.addAttributes(KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v))));
      Metric.Builder metric = Metric.newBuilder().setName(series.series().metric());
      switch (series.type()) {
        case GAUGE -> metric.setGauge(Gauge.newBuilder().addDataPoints(point));
        case COUNTER -> metric.setSum(sum(true, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point));
        case DELTA_COUNTER -> metric.setSum(sum(true, AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, point));
        case ADDITIVE -> metric.setSum(sum(false, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, point));
      }
      byte[] request = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
          .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric))).build().toByteArray();
      try {
        IngestResult result = translator.write(request);
        if (result.rejected() > 0) {
          failures.add("input series " + series.series().metric() + series.series().labels() + ": " + result.message());
          return;
        }
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static Sum.Builder sum(boolean monotonic, AggregationTemporality temporality, NumberDataPoint.Builder point) {
    return Sum.newBuilder().setIsMonotonic(monotonic).setAggregationTemporality(temporality).addDataPoints(point);
  }

  private static void compare(RuleTestFile.AlertTest check, MonitorEngine engine, List<String> failures) {
    String at = "at " + RuleTestFile.format(check.evalTime()) + ", monitor \"" + check.monitor() + "\"";
    Optional<MonitorStatus> found = monitor(engine, check.monitor(), at, failures);
    if (found.isEmpty()) {
      return;
    }
    MonitorStatus status = found.get();
    MonitorDefinition monitor = status.definition();
    TreeSet<String> expected = new TreeSet<>();
    for (RuleTestFile.ExpectedAlert alert : check.alerts()) {
      expected.add(describe(alert.state(), alertLabels(alert.labels(), monitor), alert.annotations()));
    }
    TreeSet<String> actual = new TreeSet<>();
    for (GroupState g : status.groups()) {
      if (g.state() == GroupState.State.OK) {
        continue;
      }
      Map<String, String> annotations = Map.of();
      Map<String, String> groupLabels = g.labels().asMap();
      if (g.severity() != null) {
        // With levels an alert carries the level it fires at, as its notifications do.
        groupLabels = new TreeMap<>(groupLabels);
        groupLabels.put("severity", g.severity());
      }
      Labels labels = alertLabels(groupLabels, monitor);
      Optional<RuleTestFile.ExpectedAlert> wanted = check.alerts().stream()
          .filter(a -> alertLabels(a.labels(), monitor).equals(labels)).findFirst();
      if (wanted.isPresent() && !wanted.get().annotations().isEmpty()) {
        Map<String, String> rendered = Annotations.render(status.definition(), g.labels(), g.value(), g.state().id());
        annotations = new TreeMap<>(rendered);
        annotations.keySet().retainAll(wanted.get().annotations().keySet());
      }
      actual.add(describe(g.state().id(), labels, annotations));
    }
    if (!expected.equals(actual)) {
      StringBuilder diff = new StringBuilder(at + ":");
      diff.append("\n    expected:");
      appendAll(diff, expected);
      diff.append("\n    got:");
      appendAll(diff, actual);
      failures.add(diff.toString());
    }
  }

  /**
   * The monitor named {@code name} if it exists and its query ran; otherwise a failure saying
   * why, starting with {@code at}.
   */
  static Optional<MonitorStatus> monitor(MonitorEngine engine, String name, String at, List<String> failures) {
    Optional<MonitorStatus> found = engine.monitors().stream().filter(s -> s.definition().name().equals(name)).findFirst();
    if (found.isEmpty()) {
      List<String> names = engine.monitors().stream().map(s -> s.definition().name()).toList();
      failures.add(at + ": no such monitor"
          + Suggestions.closest(name, names).map(n -> ", did you mean \"" + n + "\"?").orElse("")
          + "; monitors: " + String.join(", ", names.stream().map(n -> "\"" + n + "\"").toList()));
      return Optional.empty();
    }
    if (found.get().health() == MonitorStatus.Health.ERROR) {
      failures.add(at + ": the query failed: " + found.get().lastError());
      return Optional.empty();
    }
    return found;
  }

  /**
   * The labels an alert carries, without {@code alertname}: the monitor's static labels, then
   * the group's. So {@code exp_labels} may give the group's labels alone, or add static labels
   * such as {@code severity} (and {@code alertname}) as promtool's exp_labels do; a static label
   * given with another value than the monitor's is a mismatch.
   */
  private static Labels alertLabels(Map<String, String> labels, MonitorDefinition monitor) {
    Map<String, String> all = new TreeMap<>(monitor.labels());
    labels.forEach((name, value) -> {
      boolean isStatic = value.equals(monitor.labels().get(name)) || name.equals("alertname") && value.equals(monitor.name());
      if (!isStatic) {
        all.put(name, value);
      }
    });
    return Labels.of(all);
  }

  static void appendAll(StringBuilder sb, Collection<String> alerts) {
    if (alerts.isEmpty()) {
      sb.append(" nothing");
    }
    for (String a : alerts) {
      sb.append("\n      ").append(a);
    }
  }

  private static String describe(String state, Labels labels, Map<String, String> annotations) {
    return state + " " + labels + (annotations.isEmpty() ? "" : " " + new TreeMap<>(annotations));
  }
}
