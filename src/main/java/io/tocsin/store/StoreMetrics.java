package io.tocsin.store;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Store self-metrics: active series, and series dropped after idling past retention. */
public final class StoreMetrics {
  private final Counter evicted;

  public StoreMetrics(SeriesStore store, PrometheusRegistry registry) {
    GaugeWithCallback.builder().name("tocsin_store_series")
        .help("Active series in the store")
        .callback(callback -> callback.call(store.seriesCount()))
        .register(registry);
    GaugeWithCallback.builder().name("tocsin_store_series_limit")
        .help("limits.max_series")
        .callback(callback -> callback.call(store.settings().maxSeries()))
        .register(registry);
    evicted = Counter.builder().name("tocsin_store_series_evicted_total")
        .help("Series dropped after receiving nothing for the retention window")
        .register(registry);
  }

  /** Runs one eviction pass and counts what it removed. */
  public void evict(SeriesStore store) {
    evicted.inc(store.evictExpired());
  }
}
