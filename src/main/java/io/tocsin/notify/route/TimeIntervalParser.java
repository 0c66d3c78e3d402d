package io.tocsin.notify.route;

import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads Alertmanager's {@code time_intervals:} with positioned errors. */
final class TimeIntervalParser {
  private static final Set<String> NAMED_KEYS = Set.of("name", "time_intervals");
  private static final Set<String> PERIOD_KEYS = Set.of("times", "weekdays", "days_of_month", "months", "years",
      "location");
  private static final Set<String> TIME_KEYS = Set.of("start_time", "end_time");
  private static final List<String> WEEKDAYS = List.of("sunday", "monday", "tuesday", "wednesday", "thursday",
      "friday", "saturday");
  private static final List<String> MONTHS = List.of("january", "february", "march", "april", "may", "june", "july",
      "august", "september", "october", "november", "december");
  private static final Pattern TIME = Pattern.compile("(\\d{2}):(\\d{2})");

  private final List<ConfigError> errors;

  private TimeIntervalParser(List<ConfigError> errors) {
    this.errors = errors;
  }

  /** The named intervals, by name in file order. */
  static Map<String, List<TimeInterval>> parse(List<YamlNode> nodes, List<ConfigError> errors) {
    TimeIntervalParser parser = new TimeIntervalParser(errors);
    Map<String, List<TimeInterval>> byName = new LinkedHashMap<>();
    Map<String, Mark> first = new LinkedHashMap<>();
    for (YamlNode node : nodes) {
      MappingReader r = MappingReader.of(node, "time interval", NAMED_KEYS, errors);
      String name = r.string("name", null);
      if (name == null || name.isBlank()) {
        errors.add(new ConfigError(r.mark(), "a time interval needs a name"));
        continue;
      }
      Mark earlier = first.putIfAbsent(name, r.mark());
      if (earlier != null) {
        errors.add(new ConfigError(r.mark(), "duplicate time interval name \"" + name + "\" (first at " + earlier
            + ")"));
        continue;
      }
      List<TimeInterval> periods = new ArrayList<>();
      YamlNode list = r.node("time_intervals");
      if (list instanceof YamlNode.Sequence seq) {
        seq.items().forEach(item -> periods.add(parser.period(item)));
      } else if (list != null) {
        r.error(list, "time_intervals must be a list of periods, got " + list.describe());
      }
      byName.put(name, periods);
    }
    return byName;
  }

  private TimeInterval period(YamlNode node) {
    MappingReader r = MappingReader.of(node, "time interval period", PERIOD_KEYS, errors);
    List<TimeInterval.Range> times = new ArrayList<>();
    YamlNode timesNode = r.node("times");
    if (timesNode instanceof YamlNode.Sequence seq) {
      for (YamlNode item : seq.items()) {
        MappingReader t = MappingReader.of(item, "times", TIME_KEYS, errors);
        int start = minuteOfDay(t, "start_time");
        int end = minuteOfDay(t, "end_time");
        if (start >= 0 && end >= 0) {
          if (start >= end) {
            t.error(item, "start_time must be before end_time");
          } else {
            times.add(new TimeInterval.Range(start, end));
          }
        }
      }
    } else if (timesNode != null) {
      r.error(timesNode, "times must be a list of {start_time, end_time}, got " + timesNode.describe());
    }
    return new TimeInterval(times, ranges(r, "weekdays", WEEKDAYS, 0, 0, 6),
        ranges(r, "days_of_month", null, 0, -31, 31), ranges(r, "months", MONTHS, 1, 1, 12),
        ranges(r, "years", null, 0, 1, 9999), location(r));
  }

  /** Minutes since midnight of "HH:MM" (24:00 allowed as an end); -1 after an error. */
  private int minuteOfDay(MappingReader r, String key) {
    String text = r.string(key, null);
    if (text == null) {
      errors.add(new ConfigError(r.mark(), "times needs " + key));
      return -1;
    }
    Matcher m = TIME.matcher(text.strip());
    if (m.matches()) {
      int hours = Integer.parseInt(m.group(1));
      int minutes = Integer.parseInt(m.group(2));
      if (hours < 24 && minutes < 60 || hours == 24 && minutes == 0) {
        return hours * 60 + minutes;
      }
    }
    r.error(r.node(key), key + " must be a time of day from 00:00 to 24:00 such as 09:30, got \"" + text + "\"");
    return -1;
  }

  /**
   * Items such as {@code monday}, {@code monday:friday}, {@code 1:5} or {@code -3:-1}; names (when
   * {@code names} is given) count from {@code firstName}.
   */
  private List<TimeInterval.Range> ranges(MappingReader r, String key, List<String> names, int firstName, int min,
      int max) {
    List<TimeInterval.Range> ranges = new ArrayList<>();
    YamlNode node = r.node(key);
    List<String> items = r.strings(key, List.of());
    List<YamlNode> itemNodes = node instanceof YamlNode.Sequence seq && seq.items().size() == items.size()
        ? seq.items() : null;
    for (int i = 0; i < items.size(); i++) {
      String item = items.get(i);
      YamlNode at = itemNodes == null ? node : itemNodes.get(i);
      String[] parts = item.strip().split(":", -1);
      Integer begin = parts.length > 2 ? null : value(parts[0], names, firstName, min, max);
      Integer end = parts.length == 1 ? begin : parts.length > 2 ? null : value(parts[1], names, firstName, min, max);
      if (begin == null || end == null) {
        r.error(at, key + ": \"" + item + "\" is not " + expected(key, min, max));
        continue;
      }
      // Negative days count from the month's end; compare them as in a 31-day month.
      int b = begin < 0 ? 32 + begin : begin;
      int e = end < 0 ? 32 + end : end;
      if (b > e) {
        r.error(at, key + ": \"" + item + "\" starts after it ends");
        continue;
      }
      ranges.add(new TimeInterval.Range(begin, end));
    }
    return ranges;
  }

  private static Integer value(String text, List<String> names, int firstName, int min, int max) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (names != null) {
      int i = names.indexOf(t);
      if (i >= 0) {
        return i + firstName;
      }
      if (firstName == 0) {
        return null; // weekdays are names only, as in Alertmanager
      }
    }
    try {
      int n = Integer.parseInt(t);
      return n >= min && n <= max && n != 0 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String expected(String key, int min, int max) {
    return switch (key) {
      case "weekdays" -> "a weekday such as monday or a range such as monday:friday";
      case "days_of_month" -> "a day from 1 to 31 or -31 to -1 (counting from the month's end), or a range such as"
          + " 1:5 or -3:-1";
      case "months" -> "a month (january or 1) or a range such as january:march";
      default -> "a number from " + min + " to " + max + " or a range such as " + min + ":" + max;
    };
  }

  private ZoneId location(MappingReader r) {
    String text = r.string("location", null);
    if (text == null) {
      return ZoneOffset.UTC;
    }
    if (text.equals("Local")) {
      return ZoneId.systemDefault();
    }
    try {
      return ZoneId.of(text);
    } catch (DateTimeException e) {
      r.error(r.node("location"), "location: unknown time zone \"" + text + "\"; use an IANA name such as "
          + "Europe/Berlin, or UTC or Local");
      return ZoneOffset.UTC;
    }
  }
}
