package io.tocsin.notify.route;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;

/**
 * One period of Alertmanager's {@code time_intervals}: times of day, weekdays, days of the month,
 * months and years, read on the wall clock of {@code location}. A time is inside when it matches
 * every field given; a field left out matches everything. Ranges are inclusive except times of
 * day, whose end is exclusive ({@code 17:00-24:00} ends at midnight).
 *
 * <p>Wall-clock reading is what makes "09:00 to 17:00 in Europe/Berlin" mean the same working
 * day in winter and in summer: across a DST change the instant of 09:00 moves, the interval with
 * it. Days of the month may be negative, counting from the month's end ({@code -1} is its last
 * day), so "the last three days" works in every month.
 *
 * <p>Immutable.
 */
public final class TimeInterval {
  /** An inclusive range of integers; for times of day, minutes since midnight with the end exclusive. */
  record Range(int begin, int end) {
    boolean contains(int value) {
      return value >= begin && value <= end;
    }
  }

  private final List<Range> times;
  private final List<Range> weekdays;
  private final List<Range> daysOfMonth;
  private final List<Range> months;
  private final List<Range> years;
  private final ZoneId location;

  TimeInterval(List<Range> times, List<Range> weekdays, List<Range> daysOfMonth, List<Range> months,
      List<Range> years, ZoneId location) {
    this.times = List.copyOf(times);
    this.weekdays = List.copyOf(weekdays);
    this.daysOfMonth = List.copyOf(daysOfMonth);
    this.months = List.copyOf(months);
    this.years = List.copyOf(years);
    this.location = Objects.requireNonNull(location, "location");
  }

  /** Whether {@code instant} falls inside this period. */
  public boolean contains(Instant instant) {
    ZonedDateTime t = instant.atZone(location);
    return matchesTime(t) && matchesAny(weekdays, t.getDayOfWeek().getValue() % 7)
        && matchesDayOfMonth(t) && matchesAny(months, t.getMonthValue()) && matchesAny(years, t.getYear());
  }

  private boolean matchesTime(ZonedDateTime t) {
    if (times.isEmpty()) {
      return true;
    }
    int minute = t.getHour() * 60 + t.getMinute();
    return times.stream().anyMatch(r -> minute >= r.begin() && minute < r.end());
  }

  private static boolean matchesAny(List<Range> ranges, int value) {
    return ranges.isEmpty() || ranges.stream().anyMatch(r -> r.contains(value));
  }

  /** As Alertmanager: negative days count from the end; a range is clamped to the month it is read in. */
  private boolean matchesDayOfMonth(ZonedDateTime t) {
    if (daysOfMonth.isEmpty()) {
      return true;
    }
    int length = t.toLocalDate().lengthOfMonth();
    for (Range r : daysOfMonth) {
      int begin = r.begin() < 0 ? length + r.begin() + 1 : r.begin();
      int end = r.end() < 0 ? length + r.end() + 1 : r.end();
      if (begin > length) {
        continue; // the 31st in a 30-day month: not this month
      }
      begin = Math.max(begin, 1);
      end = Math.min(end, length);
      if (t.getDayOfMonth() >= begin && t.getDayOfMonth() <= end) {
        return true;
      }
    }
    return false;
  }

  public ZoneId location() {
    return location;
  }
}
