package io.tocsin.ruletest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * promtool's notations for test input: a series as {@code name{label="value", ...}}, and values
 * as space-separated terms: a number, {@code _} (no sample), {@code stale} (a stale marker),
 * {@code a+bxn} / {@code a-bxn} (n+1 samples from a in steps of b) and {@code axn} (a, n+1 times).
 */
final class SeriesNotation {
  private static final Pattern SERIES = Pattern.compile("\\s*([A-Za-z_.:][A-Za-z0-9_.:]*)\\s*(\\{(.*)\\})?\\s*");
  private static final Pattern LABEL = Pattern.compile("\\s*([A-Za-z_.][A-Za-z0-9_.]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(,|$)");
  private static final Pattern EXPANDING = Pattern.compile("(-?[0-9.eE+]+?)(?:([+-])([0-9.eE+]+))?x([0-9]+)");

  /** A missing sample. */
  static final double MISSING = Double.NaN;
  /** A stale marker; told apart from {@link #MISSING} by {@link #isStale}. */
  static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

  private SeriesNotation() {}

  record Series(String metric, Map<String, String> labels) {}

  static Series parseSeries(String text) {
    Matcher m = SERIES.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected a series such as name{label=\"value\"}, got \"" + text + "\"");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    String body = m.group(3);
    if (body != null && !body.isBlank()) {
      Matcher l = LABEL.matcher(body);
      int at = 0;
      while (at < body.length()) {
        if (!l.find(at) || l.start() != at) {
          throw new IllegalArgumentException("cannot read the labels of \"" + text + "\": expected label=\"value\"");
        }
        labels.put(l.group(1), l.group(2).replaceAll("\\\\(.)", "$1"));
        at = l.end();
      }
    }
    return new Series(m.group(1), labels);
  }

  static List<Double> parseValues(String text) {
    List<Double> values = new ArrayList<>();
    for (String term : text.trim().split("\\s+")) {
      if (term.isEmpty()) {
        continue;
      }
      if (term.equals("_")) {
        values.add(MISSING);
        continue;
      }
      if (term.equals("stale")) {
        values.add(STALE);
        continue;
      }
      Matcher m = EXPANDING.matcher(term);
      if (m.matches()) {
        double start = number(m.group(1), term);
        double step = m.group(3) == null ? 0 : number(m.group(3), term) * (m.group(2).equals("-") ? -1 : 1);
        int times = Integer.parseInt(m.group(4));
        for (int i = 0; i <= times; i++) {
          values.add(start + i * step);
        }
        continue;
      }
      values.add(number(term, term));
    }
    return values;
  }

  static boolean isStale(double v) {
    return Double.doubleToRawLongBits(v) == Double.doubleToRawLongBits(STALE);
  }

  private static double number(String text, String term) {
    if (text.equalsIgnoreCase("nan")) {
      // promtool stores NaN as a value; Tocsin reads a NaN as a bucket without a value, so a
      // NaN here could not mean what it means to promtool. Say which notation fits instead.
      throw new IllegalArgumentException("cannot read \"" + term + "\": a NaN sample is a bucket without a value to a"
          + " monitor; write _ for no sample, or stale for a stale marker");
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cannot read \"" + term + "\": expected a number, _, stale, a+bxn or axn");
    }
  }
}
