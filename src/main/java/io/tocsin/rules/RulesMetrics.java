package io.tocsin.rules;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.rules.GroupState.State;

/** Self-metrics of the monitor engine. */
final class RulesMetrics {
  private final PrometheusRegistry registry;
  private final Counter evaluations;
  private final Counter failures;
  private final Counter skipped;
  private final Counter events;
  private final Histogram duration;

  RulesMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    evaluations = Counter.builder().name("tocsin_monitor_evaluations_total")
        .help("Monitor evaluations").register(registry);
    failures = Counter.builder().name("tocsin_monitor_evaluation_failures_total")
        .help("Monitor evaluations whose query failed").register(registry);
    skipped = Counter.builder().name("tocsin_monitor_evaluations_skipped_total")
        .help("Buckets not evaluated when due because the monitor's previous evaluation was still running")
        .labelNames("monitor").register(registry);
    events = Counter.builder().name("tocsin_alert_events_total")
        .help("Alert events, by type").labelNames("type").register(registry);
    duration = Histogram.builder().name("tocsin_monitor_evaluation_seconds")
        .help("How long monitor evaluations take").register(registry);
  }

  void register(MonitorEngine engine) {
    GaugeWithCallback.builder().name("tocsin_monitors").help("Monitors loaded")
        .callback(callback -> callback.call(engine.size())).register(registry);
    GaugeWithCallback.builder().name("tocsin_alerts").help("Groups pending or firing").labelNames("state")
        .callback(callback -> {
          callback.call(engine.count(State.PENDING), "pending");
          callback.call(engine.count(State.FIRING), "firing");
        }).register(registry);
    GaugeWithCallback.builder().name("tocsin_monitor_last_evaluation_timestamp_seconds")
        .help("Time of each monitor's last completed evaluation (Unix seconds); /-/ready fails when one falls behind")
        .labelNames("monitor")
        .callback(callback -> engine.lastEvaluations().forEach((id, ms) -> callback.call(ms / 1000.0, id)))
        .register(registry);
    GaugeWithCallback.builder().name("tocsin_monitor_evaluated_here")
        .help("1 for each monitor this process evaluates, 0 for one another cluster member evaluates (shard_monitors)")
        .labelNames("monitor")
        .callback(callback -> engine.placements().forEach((id, here) -> callback.call(here ? 1 : 0, id)))
        .register(registry);
  }

  void evaluated(double millis, boolean failed) {
    evaluations.inc();
    duration.observe(millis / 1000);
    if (failed) {
      failures.inc();
    }
  }

  void skipped(MonitorDefinition monitor) {
    skipped.labelValues(monitor.id()).inc();
  }

  void event(AlertEvent event) {
    events.labelValues(event.type().id()).inc();
  }
}
