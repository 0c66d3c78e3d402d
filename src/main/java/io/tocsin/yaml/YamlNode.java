package io.tocsin.yaml;

import java.util.List;
import java.util.Map;

/**
 * A parsed YAML value that remembers where it was written, so that every validation error can
 * point at its line and column. Scalars keep their text; readers decide how to interpret it.
 */
public sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {
  Mark mark();

  /** What kind of value this is, for messages such as "expected a list, got a mapping". */
  String describe();

  /** A mapping; keys in file order, each with its own position. */
  record Mapping(Mark mark, Map<String, Entry> entries) implements YamlNode {
    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** A key and its value. */
  record Entry(String key, Mark keyMark, YamlNode value) {}

  record Sequence(Mark mark, List<YamlNode> items) implements YamlNode {
    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A scalar. {@code text} has {@code ${VAR}} references expanded; {@code null} is YAML null
   * (an empty value, {@code ~} or {@code null}). {@code content} is where the text itself
   * starts: after an opening quote, or on the line after a block indicator ({@code |}, {@code >}).
   */
  record Scalar(Mark mark, String text, Mark content) implements YamlNode {
    public Scalar(Mark mark, String text) {
      this(mark, text, mark);
    }

    /**
     * Where position {@code line}:{@code column} of the text (both from 1) is in the file, for
     * errors found inside a value such as a query. Exact for single-line values; for block
     * scalars, lines keep the block's indentation.
     */
    public Mark at(int line, int column) {
      if (line <= 1) {
        return new Mark(content.file(), content.line(), content.column() + column - 1);
      }
      boolean block = content.line() > mark.line();
      return new Mark(content.file(), content.line() + line - 1, block ? content.column() + column - 1 : column);
    }

    public boolean isNull() {
      return text == null;
    }

    @Override
    public String describe() {
      return text == null ? "an empty value" : "\"" + text + "\"";
    }
  }
}
