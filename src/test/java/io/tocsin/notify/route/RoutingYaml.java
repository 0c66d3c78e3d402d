package io.tocsin.notify.route;

import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.YamlNode;
import io.tocsin.yaml.YamlReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads {@code routes:}, {@code inhibit_rules:} and {@code time_intervals:} from a YAML text, as rule files hold them. */
final class RoutingYaml {
  final List<ConfigError> warnings = new ArrayList<>();

  /** The routing; {@link ConfigException} with every error. */
  Routing parse(String yaml, String... channels) throws ConfigException {
    return parse(yaml, List.of(), channels);
  }

  Routing parse(String yaml, List<RoutingParser.MonitorChannels> monitors, String... channels)
      throws ConfigException {
    List<ConfigError> errors = new ArrayList<>();
    YamlNode root = new YamlReader(name -> null).read("rules.yml", yaml, errors);
    Map<String, YamlNode.Entry> top = ((YamlNode.Mapping) root).entries();
    Routing routing = RoutingParser.parse(list(top, "routes"), list(top, "inhibit_rules"), list(top, "time_intervals"),
        monitors, Set.of(channels), errors, warnings);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return routing;
  }

  private static List<YamlNode> list(Map<String, YamlNode.Entry> top, String key) {
    YamlNode.Entry entry = top.get(key);
    return entry == null ? List.of() : ((YamlNode.Sequence) entry.value()).items();
  }

  /** The errors of a text that must not parse, as {@code file:line:col: message}. */
  List<String> errors(String yaml, String... channels) {
    try {
      parse(yaml, channels);
    } catch (ConfigException e) {
      return e.errors().stream().map(ConfigError::toString).toList();
    }
    throw new AssertionError("expected errors, but it parsed");
  }
}
