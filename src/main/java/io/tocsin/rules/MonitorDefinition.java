package io.tocsin.rules;

import io.tocsin.query.eval.Query;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A monitor as written in a rule file, checked and immutable.
 *
 * @param id a URL-safe identifier derived from the name
 * @param column the checked column of the query
 * @param unit the unit of the checked column for messages, or empty
 * @param forDuration how long a breach must last to fire; a whole number of grouping intervals
 * @param evaluationDelay how long after a bucket ends it is evaluated, so late exports count
 * @param repeat when a firing alert is sent again
 * @param thresholds when a value breaches; with levels, the highest level's
 * @param channels channel names; empty means every channel
 * @param source where it is defined, as {@code file:line}
 * @param levels its severity levels, lowest first; empty without {@code levels:}, and then
 *     {@code thresholds} alone decide and no alert carries a {@code severity} label
 */
public record MonitorDefinition(
    String id,
    String name,
    List<String> metrics,
    List<String> queryItems,
    Query query,
    String column,
    String unit,
    Thresholds thresholds,
    Duration forDuration,
    Duration groupingInterval,
    Duration evaluationDelay,
    Duration keepFiringFor,
    AbsentPoints absentPoints,
    RepeatPolicy repeat,
    Map<String, String> labels,
    Map<String, String> annotations,
    List<String> channels,
    boolean paused,
    String source,
    String datasource,
    List<Level> levels) {

  public MonitorDefinition {
    metrics = List.copyOf(metrics);
    queryItems = List.copyOf(queryItems);
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    channels = List.copyOf(channels);
    levels = List.copyOf(levels);
  }

  /** Whether it has {@code levels:}: its alerts then carry the level they are at as {@code severity}. */
  public boolean hasLevels() {
    return !levels.isEmpty();
  }

  /** The thresholds that apply to {@code g}: those of the level it fires at, or the monitor's. */
  public Thresholds thresholdsOf(GroupState g) {
    String severity = g.severity();
    for (Level level : levels) {
      if (level.name().equals(severity)) {
        return level.thresholds();
      }
    }
    return thresholds;
  }

  /** The interval of {@link #repeat()}: how often (at first) a firing alert is sent again; zero never. */
  public Duration repeatInterval() {
    return repeat.interval();
  }

  /** How many consecutive breaching buckets fire: for_duration / grouping_interval, at least 1. */
  public int bucketsToFire() {
    return (int) Math.max(1, forDuration.toMillis() / groupingInterval.toMillis());
  }

  /**
   * What a monitor's state belongs to: a reload keeps the state of a monitor whose name, query
   * and interval are unchanged, whatever else changed (thresholds apply from the next bucket).
   */
  public String stateKey() {
    return name + "\n" + String.join("\n", metrics) + "\n--\n" + String.join("\n", queryItems) + "\n@"
        + groupingInterval.toMillis();
  }

  /** How long a group in {@code ignore} mode may have no value before it is dropped. */
  public Duration noDataAfter() {
    Duration fiveBuckets = groupingInterval.multipliedBy(5);
    return forDuration.compareTo(fiveBuckets) > 0 ? forDuration : fiveBuckets;
  }

  /** The data a monitor reads before its first bucket: its window plus the query's lookback. */
  public Duration window() {
    return forDuration.plus(groupingInterval).plus(query.lookback()).plus(noDataAfter());
  }

  /** A URL-safe id: lower case letters and digits, runs of anything else as one '-'. */
  public static String idOf(String name) {
    StringBuilder sb = new StringBuilder();
    boolean dash = false;
    for (int i = 0; i < name.length(); i++) {
      char c = Character.toLowerCase(name.charAt(i));
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        if (dash && sb.length() > 0) {
          sb.append('-');
        }
        dash = false;
        sb.append(c);
      } else {
        dash = true;
      }
    }
    return sb.length() == 0 ? "monitor" : sb.toString();
  }
}
