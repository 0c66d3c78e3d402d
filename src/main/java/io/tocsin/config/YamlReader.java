package io.tocsin.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads YAML into {@link YamlNode}s with positions, expanding environment references in scalar
 * values. Expansion happens after parsing, in values only, so a variable can never change the
 * structure of a file.
 */
public final class YamlReader {
  private static final YAMLFactory FACTORY = new YAMLFactory();
  /** Deeper nesting than any configuration needs; bounds recursion on hostile input. */
  private static final int MAX_DEPTH = 64;

  private final EnvExpander expander;
  /** The text being read, to find where scalars' contents start. */
  private String text;

  public YamlReader(Function<String, String> env) {
    this.expander = new EnvExpander(env);
  }

  public static YamlReader withSystemEnv() {
    return new YamlReader(System::getenv);
  }

  /**
   * Parses {@code text}. A syntax error ends parsing and is the only error; expansion problems
   * are added to {@code errors} and parsing goes on. An empty document is an empty mapping.
   */
  public YamlNode read(String file, String text, List<ConfigError> errors) throws ConfigException {
    this.text = text;
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return new YamlNode.Mapping(new Mark(file, 1, 1), Map.of());
      }
      return readValue(parser, file, errors, 0);
    } catch (JsonProcessingException e) {
      throw new ConfigException(List.of(new ConfigError(mark(file, e.getLocation()), syntaxMessage(e))));
    } catch (IOException e) {
      throw new ConfigException(List.of(new ConfigError(new Mark(file, 1, 1), "cannot read: " + e.getMessage())));
    }
  }

  private YamlNode readValue(JsonParser parser, String file, List<ConfigError> errors, int depth)
      throws IOException, ConfigException {
    Mark mark = mark(file, parser.currentTokenLocation());
    if (depth > MAX_DEPTH) {
      throw new ConfigException(List.of(new ConfigError(mark, "nesting deeper than " + MAX_DEPTH + " levels")));
    }
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          Mark keyMark = mark(file, parser.currentTokenLocation());
          parser.nextToken();
          YamlNode value = readValue(parser, file, errors, depth + 1);
          YamlNode.Entry previous = entries.putIfAbsent(key, new YamlNode.Entry(key, keyMark, value));
          if (previous != null) {
            errors.add(new ConfigError(keyMark, "duplicate key \"" + key + "\" (first at line "
                + previous.keyMark().line() + ")"));
          }
        }
        return new YamlNode.Mapping(mark, entries);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(readValue(parser, file, errors, depth + 1));
        }
        return new YamlNode.Sequence(mark, items);
      }
      case VALUE_NULL -> {
        return new YamlNode.Scalar(mark, null);
      }
      default -> {
        Mark content = contentMark(mark, parser.currentTokenLocation());
        return new YamlNode.Scalar(mark, expander.expand(parser.getText(), mark, errors), content);
      }
    }
  }

  /** Where a scalar's text starts: past a quote, or on the line after {@code |} or {@code >}. */
  private Mark contentMark(Mark mark, JsonLocation location) {
    long offset = location == null ? -1 : location.getCharOffset();
    if (text == null || offset < 0 || offset >= text.length()) {
      return mark;
    }
    char c = text.charAt((int) offset);
    if (c == '"' || c == '\'') {
      return new Mark(mark.file(), mark.line(), mark.column() + 1);
    }
    if (c == '|' || c == '>') {
      int lineStart = text.indexOf('\n', (int) offset);
      if (lineStart < 0) {
        return mark;
      }
      int i = lineStart + 1;
      while (i < text.length() && text.charAt(i) == ' ') {
        i++;
      }
      return new Mark(mark.file(), mark.line() + 1, i - lineStart);
    }
    return mark;
  }

  private static Mark mark(String file, JsonLocation location) {
    if (location == null) {
      return new Mark(file, 1, 1);
    }
    return new Mark(file, Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
  }

  /** SnakeYAML's messages span lines and repeat the position; keep the problem itself. */
  private static String syntaxMessage(JsonProcessingException e) {
    String original = e.getOriginalMessage();
    if (original == null) {
      return "invalid YAML";
    }
    String[] lines = original.strip().split("\n");
    String problem = lines[0].strip();
    for (String line : lines) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("in ") && !l.startsWith("at ") && !l.contains("line ") && !l.startsWith("^")) {
        problem = l;
      }
    }
    return "invalid YAML: " + problem;
  }
}
