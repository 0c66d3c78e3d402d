package io.tocsin.datasource;

import io.tocsin.store.MetricKind;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A Prometheus-compatible store monitors can be evaluated against ({@code datasources:} in
 * {@code tocsin.yml}).
 *
 * @param url the base URL; queries go to {@code url + /api/v1/query_range}
 * @param headers sent with every request; values are secrets (they often carry tokens)
 * @param username basic auth user, or empty
 * @param password basic auth password
 * @param bearerToken sent as {@code Authorization: Bearer}, or empty
 * @param timeout how long one query may take, connection included
 * @param kinds metric kinds that override the suffix rule, by metric name
 */
public record DatasourceSettings(String name, URI url, Flavor flavor, Map<String, Secret> headers, String username,
    Secret password, Secret bearerToken, Duration timeout, Map<String, MetricKind> kinds) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Which engine answers: decides only request details, not the translation. */
  public enum Flavor { PROMETHEUS, VICTORIAMETRICS }

  public DatasourceSettings {
    headers = Map.copyOf(headers);
    kinds = Map.copyOf(kinds);
  }
}
