package io.tocsin.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns a SnakeYAML syntax error into one {@code file:line:col} error that says what is wrong in
 * a reader's words. SnakeYAML's own text names parser states ("expected &lt;block end&gt;, but found
 * '&lt;block sequence start&gt;'") and Jackson's position is where the previous token ended, often
 * the end of the line before the mistake; the problem mark is where the parser stopped.
 */
final class YamlSyntax {
  /** SnakeYAML's token names, as a reader would say them. */
  private static final Map<String, String> TOKENS = Map.ofEntries(
      Map.entry("<block sequence start>", "a list item (\"- \")"),
      Map.entry("-", "a list item (\"- \")"),
      Map.entry("<block mapping start>", "a key"),
      Map.entry("?", "a key"),
      Map.entry(":", "\":\""),
      Map.entry("<scalar>", "a value"),
      Map.entry("<anchor>", "an anchor (&)"),
      Map.entry("<alias>", "an alias (*)"),
      Map.entry("<tag>", "a tag (!)"),
      Map.entry("[", "\"[\""),
      Map.entry("]", "\"]\""),
      Map.entry("{", "\"{\""),
      Map.entry("}", "\"}\""),
      Map.entry(",", "\",\""),
      Map.entry("<stream end>", "the end of the file"),
      Map.entry("<document start>", "\"---\""),
      Map.entry("<document end>", "\"...\""));

  private YamlSyntax() {}

  static ConfigError error(String file, JsonProcessingException e) {
    if (!(e.getCause() instanceof MarkedYAMLException yaml) || yaml.getProblemMark() == null) {
      return new ConfigError(mark(file, e.getLocation()), "invalid YAML: " + firstLine(e.getOriginalMessage()));
    }
    org.yaml.snakeyaml.error.Mark at = yaml.getProblemMark();
    Mark mark = new Mark(file, at.getLine() + 1, at.getColumn() + 1);
    return new ConfigError(mark, "invalid YAML: " + explain(yaml, mark));
  }

  private static String explain(MarkedYAMLException yaml, Mark at) {
    String problem = yaml.getProblem() == null ? "" : yaml.getProblem();
    String context = yaml.getContext() == null ? "" : yaml.getContext();
    org.yaml.snakeyaml.error.Mark contextMark = yaml.getContextMark();
    if (problem.contains("\\t(TAB)") || problem.contains("'\t'")) {
      return "tab characters are not allowed for indentation; indent with spaces";
    }
    if (problem.equals("mapping values are not allowed here")) {
      return "unexpected \": \": a key cannot start here; check this line's indentation, or quote the value"
          + " if it contains \": \"";
    }
    String found = found(problem);
    if (problem.startsWith("expected <block end>") && contextMark != null) {
      int line = contextMark.getLine() + 1;
      int column = contextMark.getColumn() + 1;
      String expected = context.contains("block mapping")
          ? "a key at column " + column + ", the indentation of the mapping that starts at line " + line
          : "a list item (\"- \") at column " + column + ", the indentation of the list that starts at line " + line;
      return "bad indentation: expected " + expected + ", found " + found + " at column " + at.column();
    }
    if (context.startsWith("while parsing a flow") && contextMark != null) {
      String close = context.contains("mapping") ? "}" : "]";
      String open = close.equals("}") ? "{" : "[";
      return "expected \",\" or \"" + close + "\" in the \"" + open + "\" opened at line "
          + (contextMark.getLine() + 1) + ", column " + (contextMark.getColumn() + 1) + ", found " + found;
    }
    if (!context.isEmpty() && contextMark != null) {
      return problem + " (" + context + " at line " + (contextMark.getLine() + 1) + ", column "
          + (contextMark.getColumn() + 1) + ")";
    }
    return problem;
  }

  /** What SnakeYAML found, from "..., but found 'X'" or "..., but got X". */
  private static String found(String problem) {
    int at = problem.lastIndexOf("but found ");
    int length = "but found ".length();
    if (at < 0) {
      at = problem.lastIndexOf("but got ");
      length = "but got ".length();
    }
    if (at < 0) {
      return "something else";
    }
    String token = problem.substring(at + length).strip();
    if (token.length() >= 2 && token.startsWith("'") && token.endsWith("'")) {
      token = token.substring(1, token.length() - 1);
    }
    return TOKENS.getOrDefault(token, "\"" + token + "\"");
  }

  private static String firstLine(String message) {
    return message == null ? "unreadable" : message.strip().lines().findFirst().orElse("unreadable");
  }

  private static Mark mark(String file, JsonLocation location) {
    if (location == null) {
      return new Mark(file, 1, 1);
    }
    return new Mark(file, Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
  }
}
