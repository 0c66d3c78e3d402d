package io.tocsin.yaml;

import java.util.List;
import java.util.function.Function;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} in configuration values; {@code $$} is a
 * literal {@code $}. A variable that is unset and has no default is an error, not an empty
 * string: a silently empty webhook URL or password is worse than a refusal to start.
 */
final class EnvExpander {
  private final Function<String, String> env;

  EnvExpander(Function<String, String> env) {
    this.env = env;
  }

  /** The expanded text; problems go to {@code errors} and the reference is left in place. */
  String expand(String text, Mark mark, List<ConfigError> errors) {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '$' || i + 1 >= text.length()) {
        out.append(c);
        i++;
        continue;
      }
      char next = text.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      if (next != '{') {
        out.append(c);
        i++;
        continue;
      }
      int close = text.indexOf('}', i + 2);
      if (close < 0) {
        errors.add(new ConfigError(mark, "unterminated \"${\" in value; write $$ for a literal $"));
        out.append(text, i, text.length());
        break;
      }
      String reference = text.substring(i + 2, close);
      int dash = reference.indexOf(":-");
      String name = dash < 0 ? reference : reference.substring(0, dash);
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        errors.add(new ConfigError(mark, "invalid environment variable name \"" + name + "\" in ${...}"));
        out.append(text, i, close + 1);
      } else {
        String value = env.apply(name);
        if (value == null || (value.isEmpty() && dash >= 0)) {
          if (dash >= 0) {
            value = reference.substring(dash + 2);
          } else {
            errors.add(new ConfigError(mark, "environment variable " + name
                + " is not set; set it, or give a default as ${" + name + ":-default}"));
            value = "";
          }
        }
        out.append(value);
      }
      i = close + 1;
    }
    return out.toString();
  }
}
