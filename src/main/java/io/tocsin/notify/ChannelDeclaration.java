package io.tocsin.notify;

import io.tocsin.util.Suggestions;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A notification channel as declared in a rule file: its name, type, and its settings, kept as
 * parsed YAML for the notification stage to read. Keys are checked here against what each type
 * takes ({@link ChannelType#keys}), so a typo is an error at load time like everywhere else.
 */
public record ChannelDeclaration(String name, String type, YamlNode.Mapping settings, Mark mark) {
  static final Set<String> COMMON = Set.of("name", "type", "send_resolved", "api_url");
  /**
   * Parses one entry of {@code channels:}; null (with errors added) when it is unusable.
   *
   * @param keysByType the keys each known channel type takes besides {@link #COMMON}
   */
  public static ChannelDeclaration parse(YamlNode node, Map<String, Set<String>> keysByType,
      List<ConfigError> errors) {
    if (!(node instanceof YamlNode.Mapping mapping)) {
      errors.add(new ConfigError(node.mark(), "each channel must be a mapping, got " + node.describe()));
      return null;
    }
    YamlNode typeNode = mapping.entries().containsKey("type") ? mapping.entries().get("type").value() : null;
    String type = typeNode instanceof YamlNode.Scalar s ? s.text() : null;
    Set<String> allowed = new TreeSet<>(COMMON);
    if (type != null && keysByType.containsKey(type)) {
      allowed.addAll(keysByType.get(type));
    } else {
      keysByType.values().forEach(allowed::addAll);
    }
    String what = "channel";
    MappingReader reader = MappingReader.of(mapping, what, allowed, errors);
    String name = reader.string("name", null);
    if (name == null || name.isBlank()) {
      errors.add(new ConfigError(mapping.mark(), "a channel needs a name"));
      return null;
    }
    if (type == null) {
      errors.add(new ConfigError(mapping.mark(), "channel \"" + name + "\" needs a type: one of "
          + String.join(", ", new TreeSet<>(keysByType.keySet()))));
      return null;
    }
    if (!keysByType.containsKey(type)) {
      errors.add(new ConfigError(typeNode.mark(), "unknown channel type \"" + type + "\""
          + Suggestions.hint(type, keysByType.keySet()) + "; types are "
          + String.join(", ", new TreeSet<>(keysByType.keySet()))));
      return null;
    }
    return new ChannelDeclaration(name, type, mapping, mapping.mark());
  }
}
