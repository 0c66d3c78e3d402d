package io.tocsin.notify;

import io.tocsin.rules.AlertEvent;
import io.tocsin.util.Durations;
import io.tocsin.util.Numbers;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The wording every channel shares, as plain text: titles, value descriptions, times. Channels
 * escape these strings for their own format; nothing here is escaped.
 */
public final class Messages {
  /** How many alerts a message lists before "and N more". */
  public static final int MAX_LISTED = 20;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Messages() {}

  /**
   * {@code [FIRING] Redis shard is down {node="n1"}} for one alert, {@code [FIRING:3] Redis
   * shard is down} for several, {@code [FIRING:2, RESOLVED:1] ...} when mixed, and {@code
   * [TEST] ...} for a test message.
   */
  public static String title(Notification n) {
    if (n.test()) {
      return "[TEST] " + n.monitor();
    }
    int firing = n.firing().size();
    int resolved = n.resolved().size();
    if (n.alerts().size() == 1) {
      Alert only = n.alerts().get(0);
      Map<String, String> shown = only.labels();
      if (!only.severity().isEmpty()) {
        shown = new TreeMap<>(shown);
        shown.put("severity", only.severity());
      }
      String labels = shown.isEmpty() ? "" : " " + labels(shown);
      String word = switch (only.status()) {
        case ESCALATED -> "ESCALATED";
        case DEESCALATED -> "DE-ESCALATED";
        case RESOLVED -> "RESOLVED";
        default -> "FIRING";
      };
      return "[" + word + "] " + n.monitor() + labels;
    }
    String counts;
    if (firing > 0 && resolved > 0) {
      counts = "FIRING:" + firing + ", RESOLVED:" + resolved;
    } else {
      counts = (firing > 0 ? "FIRING:" : "RESOLVED:") + n.alerts().size();
    }
    return "[" + counts + "] " + n.monitor();
  }

  /**
   * An alert's state as a message shows it: FIRING, STILL FIRING (a repeat), RESOLVED, or TEST;
   * with levels {@code FIRING (warning)}, {@code STILL FIRING (critical)}, {@code ESCALATED to
   * critical}, {@code DE-ESCALATED to warning}.
   */
  public static String state(Notification n, Alert alert) {
    if (n.test()) {
      return "TEST";
    }
    if (alert.isResolved()) {
      return "RESOLVED";
    }
    String level = alert.severity();
    return switch (alert.status()) {
      case ESCALATED -> "ESCALATED to " + level;
      case DEESCALATED -> "DE-ESCALATED to " + level;
      case REPEAT -> "STILL FIRING" + (level.isEmpty() ? "" : " (" + level + ")");
      default -> "FIRING" + (level.isEmpty() ? "" : " (" + level + ")");
    };
  }

  /** Prometheus style: {@code {cluster="c1", node="n1"}}; {@code {}} for none. */
  public static String labels(Map<String, String> labels) {
    return labels.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(", ", "{", "}"));
  }

  public static String number(double value) {
    return Numbers.format(value);
  }

  /** A value with the column's unit: {@code 0.62}, {@code 93%}, {@code 12 ms}; {@code no data} for none. */
  public static String value(double value, String unit) {
    if (Double.isNaN(value)) {
      return "no data";
    }
    if (unit == null || unit.isEmpty()) {
      return number(value);
    }
    return number(value) + (unit.equals("%") ? "" : " ") + unit;
  }

  /**
   * What an alert is about, in one line: {@code value 0 is below the minimum 1, breaching since
   * 2026-03-01 12:00:00 UTC, firing since 2026-03-01 12:05:00 UTC}, or for a resolution {@code
   * resolved at ... after firing for 5m (value 1)}.
   */
  public static String describe(Notification n, Alert alert) {
    // A message of several monitors says which each alert is of; one of a single monitor did in its title.
    return n.spansMonitors() ? n.sourceOf(alert).monitor() + ": " + describeValue(n, alert) : describeValue(n, alert);
  }

  private static String describeValue(Notification n, Alert alert) {
    String unit = n.sourceOf(alert).unit();
    if (alert.isResolved()) {
      String why;
      if (alert.reason().equals("no_data")) {
        why = " (no data)";
      } else if (alert.reason().equals("monitor_removed")) {
        why = " (the monitor was removed)";
      } else if (alert.reason().equals("deescalated")) {
        why = " (below the " + alert.severity() + " level now, value " + value(alert.value(), n.unit()) + ")";
      } else {
        why = " (value " + value(alert.value(), unit) + ")";
      }
      String firedFor = alert.firedAt() > 0 ? " after firing for " + firedFor(alert) : "";
      return "resolved at " + time(alert.resolvedAt()) + firedFor + why;
    }
    String crossed;
    if (Double.isNaN(alert.value())) {
      crossed = "no data (absent points count as a breach)";
    } else {
      boolean below = alert.value() < alert.threshold();
      crossed = "value " + value(alert.value(), unit) + " is " + (below ? "below the minimum " : "above the maximum ")
          + value(alert.threshold(), unit);
    }
    String since = since(alert.activeAt(), alert.firedAt());
    return crossed + (since.startsWith("since") ? " " : ", ") + since;
  }

  /**
   * When the breach began and, if later, when the alert fired: {@code breaching since 10:02:00
   * UTC, firing since 10:07:00 UTC}. The engineer on call needs the first; the second says when
   * the for_duration ran out. One time when they are the same, or the alert does not fire yet.
   */
  public static String since(long activeAt, long firedAt) {
    if (firedAt <= 0 || activeAt <= 0 || firedAt == activeAt) {
      return "since " + time(activeAt > 0 ? activeAt : firedAt);
    }
    return "breaching since " + time(activeAt) + ", firing since " + time(firedAt);
  }

  /** How long a resolved alert fired, such as {@code 1h5m}. */
  public static String firedFor(Alert alert) {
    return duration(alert.resolvedAt() - alert.firedAt());
  }

  public static String duration(long millis) {
    return Durations.format(Duration.ofSeconds(Math.max(0, millis / 1000)));
  }

  public static String time(long millis) {
    return TIME.format(Instant.ofEpochMilli(millis));
  }

  /** What ends a text that {@link #cut} shortened. */
  public static final String CUT = "…";

  /**
   * {@code text} when it has at most {@code max} characters (UTF-16 units, as the vendors' JSON
   * APIs count them), else its start with {@value #CUT}, {@code max} in all; never half a surrogate
   * pair. For plain text only: escaped text must be cut by its own format's rules.
   */
  public static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = max - CUT.length();
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, Math.max(0, end)) + CUT;
  }

  /**
   * {@code text} escaped by {@code escape}, and if that is longer than {@code max}, as many whole
   * characters of it as fit escaped, with {@value #CUT} after them: never half an escape or half a
   * surrogate pair. {@code escape} must escape each character on its own, as a per-character
   * escape (HTML entities, a backslash before Markdown) does.
   */
  public static String escapeWithin(String text, int max, UnaryOperator<String> escape) {
    String all = escape.apply(text);
    if (all.length() <= max) {
      return all;
    }
    int room = max - CUT.length();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < text.length(); ) {
      int width = Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length() ? 2 : 1;
      String escaped = escape.apply(text.substring(i, i + width));
      if (sb.length() + escaped.length() > room) {
        break;
      }
      sb.append(escaped);
      i += width;
    }
    return sb.append(CUT).toString();
  }

  /** Whether a link is an absolute http(s) URL that a chat can link to (a bare path, without {@code external_url}, is not). */
  public static boolean isWebUrl(String url) {
    return url != null && (url.startsWith("https://") || url.startsWith("http://"));
  }

  /**
   * A chat message's list of alerts within a vendor's length limit: the {@code blocks} (one per
   * alert, already in the channel's format) joined by {@code separator} while they fit, then, if
   * any of the {@code total} alerts is left out, {@code more} of how many (such as "… and 3 more
   * alerts", escaped by the caller), never over {@code max} characters in all. Each block must be
   * short enough to fit alone (channels cap each part of it); one that does not is left out too.
   */
  public static String fit(List<String> blocks, int total, String separator, int max, IntFunction<String> more) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (String block : blocks) {
      int leftOutAfter = total - shown - 1;
      String tail = leftOutAfter == 0 ? "" : separator + more.apply(leftOutAfter);
      int length = sb.length() + (shown == 0 ? 0 : separator.length()) + block.length();
      if (length + tail.length() > max) {
        break;
      }
      sb.append(shown == 0 ? "" : separator).append(block);
      shown++;
    }
    if (shown < total) {
      sb.append(shown == 0 ? "" : separator).append(more.apply(total - shown));
    }
    return sb.toString();
  }

  /** {@code … and 3 more alerts}: what ends a list that was cut. */
  public static String moreAlerts(int leftOut) {
    return CUT + " and " + leftOut + " more " + (leftOut == 1 ? "alert" : "alerts");
  }

  /** The alerts a message lists, and how many it leaves out. */
  public record Listing(List<Alert> shown, int more) {
    public static Listing of(List<Alert> alerts) {
      return alerts.size() <= MAX_LISTED
          ? new Listing(alerts, 0)
          : new Listing(alerts.subList(0, MAX_LISTED), alerts.size() - MAX_LISTED);
    }

    /** {@code and 80 more}, or empty. */
    public String moreText() {
      return more == 0 ? "" : "and " + more + " more";
    }
  }
}
