package io.tocsin.rules;

import io.tocsin.util.Durations;
import io.tocsin.util.Suggestions;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a monitor's {@code levels:}: a mapping of level names ({@link Level#NAMES}) to thresholds
 * and an optional {@code for_duration}. The monitor's own {@code min_allowed_value} and {@code
 * max_allowed_value} are its {@code critical} level.
 *
 * <p>Levels must be ordered as their names are: a higher level takes a worse value to breach
 * (for minimums, a lower {@code min_allowed_value}; for maximums, a higher {@code
 * max_allowed_value}; equal is fine), and a level that could never be the highest (a higher level
 * breaches at exactly its values and fires as soon) is refused: both would only be typing errors.
 */
final class LevelParser {
  static final Set<String> KEYS = Set.of("min_allowed_value", "max_allowed_value", "recovery_min_value",
      "recovery_max_value", "for_duration");

  private LevelParser() {}

  /** A level and where it is written, for errors. */
  private record Written(Level level, Mark mark, String what) {}

  /**
   * The levels, lowest first, with errors added for each problem.
   *
   * @param top the monitor's own thresholds, or null
   * @param topLevel whether the monitor sets min_allowed_value or max_allowed_value
   */
  static List<Level> levels(MappingReader m, Thresholds top, boolean topLevel, Duration forDuration,
      Duration interval, List<ConfigError> errors) {
    YamlNode node = m.node("levels");
    if (!(node instanceof YamlNode.Mapping mapping)) {
      m.error(node, "levels must be a mapping of level names (" + String.join(", ", Level.NAMES)
          + ") to thresholds, got " + node.describe());
      return List.of();
    }
    List<Written> levels = new ArrayList<>();
    if (topLevel && top != null) {
      levels.add(new Written(new Level(Level.CRITICAL, top, forDuration, buckets(forDuration, interval)), m.mark(),
          "the monitor's critical level"));
    }
    for (YamlNode.Entry entry : mapping.entries().values()) {
      String name = entry.key();
      if (Level.rank(name) < 0) {
        errors.add(new ConfigError(entry.keyMark(), "unknown level \"" + name + "\"" + Suggestions.hint(name, Level.NAMES)
            + "; levels are " + String.join(", ", Level.NAMES)));
        continue;
      }
      if (name.equals(Level.CRITICAL) && topLevel) {
        errors.add(new ConfigError(entry.keyMark(), "levels.critical and the monitor's min_allowed_value/"
            + "max_allowed_value both set the critical level; keep one"));
        continue;
      }
      String what = "levels." + name;
      MappingReader level = MappingReader.of(entry.value(), what, KEYS, errors);
      Thresholds thresholds = MonitorParser.thresholds(level, what + ".");
      if (!level.has("min_allowed_value") && !level.has("max_allowed_value")) {
        errors.add(new ConfigError(entry.value().mark(), what + " needs min_allowed_value or max_allowed_value (or both)"));
      }
      Duration own = level.has("for_duration") ? MonitorParser.forDuration(level, interval) : forDuration;
      if (thresholds != null) {
        levels.add(new Written(new Level(name, thresholds, own, buckets(own, interval)), entry.keyMark(), what));
      }
    }
    levels.sort(Comparator.comparingInt(w -> Level.rank(w.level().name())));
    for (int hi = 1; hi < levels.size(); hi++) {
      for (int lo = 0; lo < hi; lo++) {
        ordered(levels.get(lo), levels.get(hi), errors);
      }
    }
    return levels.stream().map(Written::level).toList();
  }

  /** An error when {@code higher} breaches more easily than {@code lower}, or leaves it no chance to be highest. */
  private static void ordered(Written lower, Written higher, List<ConfigError> errors) {
    Thresholds lo = lower.level().thresholds();
    Thresholds hi = higher.level().thresholds();
    if (lo.min() != null && hi.min() != null && hi.min() > lo.min()) {
      errors.add(new ConfigError(higher.mark(), higher.what() + " has min_allowed_value " + hi.min() + ", above "
          + lower.what() + "'s " + lo.min() + ": a higher level must take a lower value to breach"));
    } else if (lo.max() != null && hi.max() != null && hi.max() < lo.max()) {
      errors.add(new ConfigError(higher.mark(), higher.what() + " has max_allowed_value " + hi.max() + ", below "
          + lower.what() + "'s " + lo.max() + ": a higher level must take a higher value to breach"));
    } else if ((lo.min() == null || Objects.equals(lo.min(), hi.min()))
        && (lo.max() == null || Objects.equals(lo.max(), hi.max()))
        && higher.level().bucketsToFire() <= lower.level().bucketsToFire()) {
      errors.add(new ConfigError(lower.mark(), lower.what() + " can never be the highest level: "
          + higher.what() + " breaches at all its values and fires as soon; give it other thresholds, or "
          + higher.what() + " a longer for_duration (" + Durations.format(lower.level().forDuration()) + " or less now)"));
    }
  }

  private static int buckets(Duration forDuration, Duration interval) {
    return (int) Math.max(1, forDuration.toMillis() / interval.toMillis());
  }
}
