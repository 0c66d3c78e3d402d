package io.tocsin.config;

import io.tocsin.datasource.DatasourceSettings;
import io.tocsin.store.MetricKind;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Secret;
import io.tocsin.yaml.YamlNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code datasources:} of {@code tocsin.yml}: each problem a positioned error. */
final class DatasourcesLoader {
  private static final Set<String> KEYS = Set.of(
      "name", "type", "url", "flavor", "headers", "basic_auth", "bearer_token", "timeout", "kinds");
  private static final Set<String> BASIC_AUTH = Set.of("username", "password");

  private DatasourcesLoader() {}

  static List<DatasourceSettings> read(YamlNode node, List<ConfigError> errors) {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof YamlNode.Sequence sequence)) {
      errors.add(new ConfigError(node.mark(), "datasources must be a list, got " + node.describe()));
      return List.of();
    }
    List<DatasourceSettings> result = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < sequence.items().size(); i++) {
      YamlNode item = sequence.items().get(i);
      DatasourceSettings settings = one(MappingReader.of(item, "datasources[" + i + "]", KEYS, errors), errors);
      if (settings != null && !names.add(settings.name())) {
        errors.add(new ConfigError(item.mark(), "datasource \"" + settings.name() + "\" is defined twice"));
      }
      if (settings != null) {
        result.add(settings);
      }
    }
    return List.copyOf(result);
  }

  private static DatasourceSettings one(MappingReader d, List<ConfigError> errors) {
    int before = errors.size();
    String name = d.string("name", "").trim();
    if (name.isEmpty()) {
      errors.add(new ConfigError(d.mark(), "a datasource needs a name"));
    }
    String type = d.string("type", "prometheus");
    if (!type.equals("prometheus")) {
      d.error(d.node("type"), "datasource type must be prometheus (any Prometheus-compatible store), got \"" + type + "\"");
    }
    URI url = null;
    String urlText = d.string("url", "");
    if (urlText.isEmpty()) {
      errors.add(new ConfigError(d.mark(), "datasource \"" + name + "\" needs a url"));
    } else {
      try {
        url = new URI(urlText.endsWith("/") ? urlText.substring(0, urlText.length() - 1) : urlText);
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
          d.error(d.node("url"), "datasource url must be http:// or https:// with a host, got \"" + urlText + "\"");
        }
      } catch (URISyntaxException e) {
        d.error(d.node("url"), "datasource url is not a URL: " + e.getMessage());
      }
    }
    DatasourceSettings.Flavor flavor = DatasourceSettings.Flavor.PROMETHEUS;
    String flavorText = d.string("flavor", "prometheus");
    switch (flavorText) {
      case "prometheus" -> flavor = DatasourceSettings.Flavor.PROMETHEUS;
      case "victoriametrics" -> flavor = DatasourceSettings.Flavor.VICTORIAMETRICS;
      default -> d.error(d.node("flavor"), "flavor must be prometheus or victoriametrics, got \"" + flavorText + "\"");
    }
    Map<String, Secret> headers = new LinkedHashMap<>();
    stringMap(d, "headers", errors).forEach((k, v) -> headers.put(k, Secret.of(v)));
    MappingReader basic = d.mapping("basic_auth", BASIC_AUTH);
    String username = basic.string("username", "");
    Secret password = Secret.of(basic.string("password", ""));
    Secret bearer = Secret.of(d.string("bearer_token", ""));
    if (!bearer.isEmpty() && !username.isEmpty()) {
      d.error(d.node("bearer_token"), "a datasource takes basic_auth or bearer_token, not both");
    }
    Duration timeout = d.duration("timeout", DatasourceSettings.DEFAULT_TIMEOUT);
    if (timeout.isNegative() || timeout.isZero()) {
      d.error(d.node("timeout"), "datasource timeout must be positive");
    }
    Map<String, MetricKind> kinds = new LinkedHashMap<>();
    YamlNode kindsNode = d.node("kinds");
    stringMap(d, "kinds", errors).forEach((metric, kind) -> {
      switch (kind.toLowerCase(Locale.ROOT)) {
        case "counter" -> kinds.put(metric, MetricKind.COUNTER);
        case "gauge" -> kinds.put(metric, MetricKind.GAUGE);
        default -> errors.add(new ConfigError(((YamlNode.Mapping) kindsNode).entries().get(metric).value().mark(),
            "kind of " + metric + " must be counter or gauge, got \"" + kind + "\""));
      }
    });
    if (errors.size() > before) {
      return null;
    }
    return new DatasourceSettings(name, url, flavor, headers, username, password, bearer, timeout, kinds);
  }

  /** A mapping of names to strings, such as headers. */
  private static Map<String, String> stringMap(MappingReader d, String key, List<ConfigError> errors) {
    Map<String, String> result = new LinkedHashMap<>();
    YamlNode node = d.node(key);
    if (node == null) {
      return result;
    }
    if (!(node instanceof YamlNode.Mapping mapping)) {
      d.error(node, key + " must be a mapping, got " + node.describe());
      return result;
    }
    for (YamlNode.Entry e : mapping.entries().values()) {
      if (e.value() instanceof YamlNode.Scalar s && !s.isNull()) {
        result.put(e.key(), s.text());
      } else {
        errors.add(new ConfigError(e.value().mark(), key + "." + e.key() + " must be a string, got " + e.value().describe()));
      }
    }
    return result;
  }
}
