package io.tocsin.notify;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.Supplier;

/** Self-metrics of delivery: attempts by channel and outcome, and what waits in each queue. */
final class NotifyMetrics {
  private final Counter notifications;

  NotifyMetrics(PrometheusRegistry registry, Supplier<Map<String, Integer>> queued) {
    notifications = Counter.builder().name("tocsin_notifications_total")
        .help("Notification outcomes by channel: sent, retry (a failed attempt to be retried), failed, gave_up, silenced, deduplicated (a peer in the cluster delivered it)")
        .labelNames("channel", "outcome").register(registry);
    GaugeWithCallback.builder().name("tocsin_notifications_queued")
        .help("Notifications waiting to be delivered, by channel").labelNames("channel")
        .callback(callback -> queued.get().forEach((channel, n) -> callback.call(n, channel)))
        .register(registry);
  }

  void count(String channel, String outcome) {
    notifications.labelValues(channel, outcome).inc();
  }
}
