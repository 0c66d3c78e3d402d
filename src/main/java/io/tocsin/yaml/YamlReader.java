package io.tocsin.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads YAML into {@link YamlNode}s with positions, expanding environment references in scalar
 * values. Expansion happens after parsing, in values only, so a variable can never change the
 * structure of a file.
 */
public final class YamlReader {
  /**
   * The largest YAML file read (rule files and {@code tocsin.yml}): far more than any
   * configuration needs, and checked before reading, since the parser slows down on huge input.
   */
  public static final int MAX_BYTES = 4 << 20;
  /**
   * The longest line. SnakeYAML keeps a scalar or comment it is scanning in a buffer that it
   * copies whole for every 1,024 characters read, so time grows with the square of a line's
   * length: 20 MB on one line took minutes.
   */
  static final int MAX_LINE_CHARS = 256 << 10;
  /** Deeper nesting than any configuration needs; bounds recursion on hostile input. */
  private static final int MAX_DEPTH = 64;
  /**
   * How many values aliases may add to a file, counting an alias as every value under its anchor.
   * Anchors let a few lines stand for billions of values (the "billion laughs" file); this is far
   * more than shared defaults in any real file need.
   */
  static final int MAX_ALIAS_VALUES = 100_000;
  /** The merge key: {@code <<: *defaults} copies the entries of a mapping not given here. */
  private static final String MERGE_KEY = "<<";
  private static final YAMLFactory FACTORY = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

  private final EnvExpander expander;
  /** The text being read, to find where scalars' contents start. */
  private String text;
  /** The anchors seen so far in the text being read, and how many values each stands for. */
  private final Map<String, Anchored> anchors = new HashMap<>();
  /** Values read so far, aliases counted as every value under their anchor. */
  private long values;
  /** The part of {@link #values} that aliases added. */
  private long aliasValues;

  private record Anchored(YamlNode node, long values) {}

  public YamlReader(Function<String, String> env) {
    this.expander = new EnvExpander(env);
  }

  public static YamlReader withSystemEnv() {
    return new YamlReader(System::getenv);
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_BYTES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setAllowDuplicateKeys(true); // reported here, with both positions
    return options;
  }

  /**
   * Reads a YAML file as UTF-8, refusing one over {@link #MAX_BYTES} before reading it all.
   *
   * @param what what the file is, for messages: "rule file", "config file"
   */
  public static String readFile(Path file, String what) throws ConfigException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw atStart(file.toString(), "cannot read " + what + ": " + e.getMessage());
    }
    if (bytes.length > MAX_BYTES) {
      throw atStart(file.toString(), what + " is larger than the limit of " + (MAX_BYTES >> 20) + " MiB ("
          + MAX_BYTES + " bytes)");
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw atStart(file.toString(), "cannot read " + what + ": it is not UTF-8 text");
    }
  }

  private static ConfigException atStart(String file, String message) {
    return new ConfigException(List.of(new ConfigError(new Mark(file, 1, 1), message)));
  }

  /** Refuses text that would take the parser too long, before parsing it. */
  private static void checkSize(String file, String text) throws ConfigException {
    if (text.length() > MAX_BYTES) {
      throw atStart(file, "more than " + MAX_BYTES + " characters; the limit is " + (MAX_BYTES >> 20) + " MiB");
    }
    int line = 1;
    for (int start = 0; start <= text.length(); line++) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      if (end - start > MAX_LINE_CHARS) {
        throw new ConfigException(List.of(new ConfigError(new Mark(file, line, 1),
            "line longer than " + MAX_LINE_CHARS + " characters; break long values over several lines")));
      }
      start = end + 1;
    }
  }

  /**
   * Parses {@code text}. A syntax error ends parsing and is the only error; expansion problems
   * are added to {@code errors} and parsing goes on. An empty document is an empty mapping.
   */
  public YamlNode read(String file, String text, List<ConfigError> errors) throws ConfigException {
    checkSize(file, text);
    this.text = text;
    anchors.clear();
    values = 0;
    aliasValues = 0;
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return new YamlNode.Mapping(new Mark(file, 1, 1), Map.of());
      }
      return readValue(parser, file, errors, 0);
    } catch (JsonProcessingException e) {
      throw new ConfigException(List.of(YamlSyntax.error(file, e)));
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
    if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      return alias(parser.getText(), mark);
    }
    JsonLocation location = parser.currentTokenLocation();
    String anchor = parser.getObjectId() instanceof String name ? name
        : scalarAnchor(location == null ? -1 : location.getCharOffset());
    long valuesBefore = values;
    YamlNode node = readNode(parser, file, mark, errors, depth);
    values++;
    if (anchor != null) {
      anchors.put(anchor, new Anchored(node, values - valuesBefore));
    }
    return node;
  }

  /**
   * The node an alias stands for, shared rather than copied. Each use counts all the values under
   * the anchor, so nested aliases cannot hide their growth.
   */
  private YamlNode alias(String name, Mark mark) throws ConfigException {
    Anchored anchored = anchors.get(name);
    if (anchored == null) {
      throw new ConfigException(List.of(new ConfigError(mark, "unknown alias *" + name
          + ": no anchor &" + name + " before it")));
    }
    aliasValues += anchored.values();
    values += anchored.values();
    if (aliasValues > MAX_ALIAS_VALUES) {
      throw new ConfigException(List.of(new ConfigError(mark, "YAML aliases expand to more than "
          + MAX_ALIAS_VALUES + " values; refusing the file (write the repeated values out, or alias fewer of them)")));
    }
    return anchored.node();
  }

  private YamlNode readNode(JsonParser parser, String file, Mark mark, List<ConfigError> errors, int depth)
      throws IOException, ConfigException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        YamlNode.Entry merge = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          Mark keyMark = mark(file, parser.currentTokenLocation());
          parser.nextToken();
          YamlNode value = readValue(parser, file, errors, depth + 1);
          YamlNode.Entry entry = new YamlNode.Entry(key, keyMark, value);
          YamlNode.Entry previous = entries.putIfAbsent(key, entry);
          if (previous != null) {
            errors.add(new ConfigError(keyMark, "duplicate key \"" + key + "\" (first at line "
                + previous.keyMark().line() + ")"));
          } else if (key.equals(MERGE_KEY)) {
            merge = entry;
          }
        }
        if (merge != null) {
          entries.remove(MERGE_KEY);
          merge(merge, entries, errors);
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
        JsonLocation location = parser.currentTokenLocation();
        long offset = location == null ? -1 : location.getCharOffset();
        int anchor = anchorWidth(offset);
        Mark at = anchor == 0 ? mark : new Mark(mark.file(), mark.line(), mark.column() + anchor);
        Mark content = contentMark(at, offset + anchor);
        return new YamlNode.Scalar(at, expander.expand(parser.getText(), at, errors), content);
      }
    }
  }

  /**
   * Adds the entries of a merge key's mappings that the mapping does not give itself; of a list
   * of mappings, the first that gives a key wins (YAML's merge key type).
   */
  private static void merge(YamlNode.Entry merge, Map<String, YamlNode.Entry> entries, List<ConfigError> errors) {
    List<YamlNode> sources = merge.value() instanceof YamlNode.Sequence seq ? seq.items() : List.of(merge.value());
    for (YamlNode source : sources) {
      if (!(source instanceof YamlNode.Mapping mapping)) {
        errors.add(new ConfigError(source.mark(), "<< (merge key) needs a mapping, an alias of one or a list of them, got "
            + source.describe()));
        continue;
      }
      mapping.entries().values().forEach(e -> entries.putIfAbsent(e.key(), e));
    }
  }

  /**
   * The anchor of a scalar: Jackson reports anchors of mappings and lists only, but a scalar's
   * position is where its anchor ({@code &name 5}), if any, starts.
   */
  private String scalarAnchor(long offset) {
    if (text == null || offset < 0 || offset >= text.length() || text.charAt((int) offset) != '&') {
      return null;
    }
    int end = (int) offset + 1;
    while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && ",[]{}".indexOf(text.charAt(end)) < 0) {
      end++;
    }
    return text.substring((int) offset + 1, end);
  }

  /**
   * How far a scalar's value is from its position when an anchor comes first on the same line
   * ({@code &name 5}), so that errors point at the value; 0 otherwise.
   */
  private int anchorWidth(long offset) {
    if (scalarAnchor(offset) == null) {
      return 0;
    }
    int end = (int) offset + 1;
    while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && ",[]{}".indexOf(text.charAt(end)) < 0) {
      end++;
    }
    while (end < text.length() && (text.charAt(end) == ' ' || text.charAt(end) == '\t')) {
      end++;
    }
    boolean valueOnThisLine = end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r';
    return valueOnThisLine ? end - (int) offset : 0;
  }

  /** Where a scalar's text starts: past a quote, or on the line after {@code |} or {@code >}. */
  private Mark contentMark(Mark mark, long offset) {
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
}
