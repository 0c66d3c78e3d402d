package io.tocsin.yaml;

import io.tocsin.util.Durations;
import io.tocsin.util.Suggestions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values out of one YAML mapping, adding a positioned error for each problem and
 * returning the default in its place, so that one pass reports everything wrong with a file.
 * Unknown keys are errors with a "did you mean" hint.
 */
public final class MappingReader {
  private static final Pattern BYTE_SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KiB|MiB|GiB)?");

  private final String what;
  private final YamlNode.Mapping node;
  private final List<ConfigError> errors;

  private MappingReader(String what, YamlNode.Mapping node, List<ConfigError> errors) {
    this.what = what;
    this.node = node;
    this.errors = errors;
  }

  /**
   * A reader over {@code node}, which must be a mapping (or empty) with keys from {@code
   * allowed}; {@code what} names it in messages, e.g. "limits".
   */
  public static MappingReader of(YamlNode node, String what, Set<String> allowed, List<ConfigError> errors) {
    YamlNode.Mapping mapping;
    if (node instanceof YamlNode.Mapping m) {
      mapping = m;
    } else {
      if (!(node instanceof YamlNode.Scalar s && s.isNull())) {
        errors.add(new ConfigError(node.mark(), (what.isEmpty() ? "the file" : what)
            + " must be a mapping, got " + node.describe()));
      }
      mapping = new YamlNode.Mapping(node.mark(), Map.of());
    }
    for (YamlNode.Entry entry : mapping.entries().values()) {
      if (!allowed.contains(entry.key())) {
        errors.add(new ConfigError(entry.keyMark(), "unknown key \"" + entry.key() + "\""
            + (what.isEmpty() ? "" : " in " + what) + Suggestions.hint(entry.key(), allowed)));
      }
    }
    return new MappingReader(what, mapping, errors);
  }

  public Mark mark() {
    return node.mark();
  }

  public boolean has(String key) {
    YamlNode.Entry entry = node.entries().get(key);
    return entry != null && !(entry.value() instanceof YamlNode.Scalar s && s.isNull());
  }

  /** The value under {@code key}, or null when absent or empty. */
  public YamlNode node(String key) {
    return has(key) ? node.entries().get(key).value() : null;
  }

  public void error(YamlNode at, String message) {
    errors.add(new ConfigError(at.mark(), message));
  }

  public String string(String key, String defaultValue) {
    YamlNode value = node(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof YamlNode.Scalar s) {
      return s.text();
    }
    error(value, name(key) + " must be a single value, got " + value.describe());
    return defaultValue;
  }

  public int integer(String key, int defaultValue, int min) {
    String text = string(key, null);
    if (text == null) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(text.trim());
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    error(node(key), name(key) + " must be a whole number of at least " + min + ", got \"" + text + "\"");
    return defaultValue;
  }

  /** A byte count: a plain number or one with a unit such as {@code 64MiB} or {@code 10MB}. */
  public long byteSize(String key, long defaultValue) {
    String text = string(key, null);
    if (text == null) {
      return defaultValue;
    }
    Matcher m = BYTE_SIZE.matcher(text.trim());
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
          case "KB" -> 1_000L;
          case "MB" -> 1_000_000L;
          case "GB" -> 1_000_000_000L;
          case "KiB" -> 1L << 10;
          case "MiB" -> 1L << 20;
          case "GiB" -> 1L << 30;
          default -> 1L;
        };
        long bytes = Math.multiplyExact(n, unit);
        if (bytes > 0) {
          return bytes;
        }
      } catch (ArithmeticException | NumberFormatException e) {
        // reported below
      }
    }
    error(node(key), name(key) + " must be a positive byte count such as 67108864 or 64MiB, got \"" + text + "\"");
    return defaultValue;
  }

  public boolean bool(String key, boolean defaultValue) {
    String text = string(key, null);
    if (text == null) {
      return defaultValue;
    }
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> {
        return true;
      }
      case "false", "no", "off" -> {
        return false;
      }
      default -> {
        error(node(key), name(key) + " must be true or false, got \"" + text + "\"");
        return defaultValue;
      }
    }
  }

  public Duration duration(String key, Duration defaultValue) {
    String text = string(key, null);
    if (text == null) {
      return defaultValue;
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      error(node(key), name(key) + ": " + e.getMessage());
      return defaultValue;
    }
  }

  /** A list of strings; a single string is taken as a list of one. */
  public List<String> strings(String key, List<String> defaultValue) {
    YamlNode value = node(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof YamlNode.Scalar s) {
      return List.of(s.text());
    }
    if (value instanceof YamlNode.Sequence seq) {
      List<String> result = new ArrayList<>();
      for (YamlNode item : seq.items()) {
        if (item instanceof YamlNode.Scalar s && !s.isNull()) {
          result.add(s.text());
        } else {
          error(item, name(key) + " must list strings, got " + item.describe());
        }
      }
      return List.copyOf(result);
    }
    error(value, name(key) + " must be a list of strings, got " + value.describe());
    return defaultValue;
  }

  /** A nested mapping; an absent one reads as empty, so its defaults apply. */
  public MappingReader mapping(String key, Set<String> allowed) {
    YamlNode value = node(key);
    String nestedName = name(key);
    if (value == null) {
      return new MappingReader(nestedName, new YamlNode.Mapping(node.mark(), Map.of()), errors);
    }
    return of(value, nestedName, allowed, errors);
  }

  private String name(String key) {
    return what.isEmpty() ? key : what + "." + key;
  }
}
