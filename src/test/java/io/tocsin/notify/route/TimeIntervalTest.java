package io.tocsin.notify.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeIntervalTest {
  private final RoutingYaml yaml = new RoutingYaml();

  private Routing intervals(String body) throws Exception {
    return yaml.parse("time_intervals:\n" + body);
  }

  private static Instant at(String utc) {
    return Instant.parse(utc);
  }

  @Test
  void workingHours_followTheWallClockAcrossDaylightSavingTime() throws Exception {
    Routing routing = intervals("""
          - name: office
            time_intervals:
              - weekdays: ['monday:friday']
                times: [{start_time: '09:00', end_time: '17:00'}]
                location: Europe/Berlin
        """);
    // Friday 27 March 2026, CET (UTC+1): 09:00 local is 08:00 UTC.
    assertThat(routing.contains("office", at("2026-03-27T07:59:00Z"))).isFalse();
    assertThat(routing.contains("office", at("2026-03-27T08:00:00Z"))).isTrue();
    assertThat(routing.contains("office", at("2026-03-27T15:59:00Z"))).isTrue();
    assertThat(routing.contains("office", at("2026-03-27T16:00:00Z"))).isFalse();
    // Clocks go forward on Sunday 29 March; Monday 30 March, CEST (UTC+2): 09:00 local is 07:00 UTC.
    assertThat(routing.contains("office", at("2026-03-30T06:59:00Z"))).isFalse();
    assertThat(routing.contains("office", at("2026-03-30T07:00:00Z"))).isTrue();
    assertThat(routing.contains("office", at("2026-03-30T14:59:00Z"))).isTrue();
    assertThat(routing.contains("office", at("2026-03-30T15:00:00Z"))).isFalse();
    // The weekend between them.
    assertThat(routing.contains("office", at("2026-03-28T10:00:00Z"))).isFalse();
    assertThat(routing.contains("office", at("2026-03-29T10:00:00Z"))).isFalse();
  }

  @Test
  void endOfDay_isExclusiveAndMidnightCanEndARange() throws Exception {
    Routing routing = intervals("""
          - name: evening
            time_intervals:
              - times: [{start_time: '17:00', end_time: '24:00'}]
        """);
    assertThat(routing.contains("evening", at("2026-05-04T16:59:59Z"))).isFalse();
    assertThat(routing.contains("evening", at("2026-05-04T17:00:00Z"))).isTrue();
    assertThat(routing.contains("evening", at("2026-05-04T23:59:59Z"))).isTrue();
    assertThat(routing.contains("evening", at("2026-05-05T00:00:00Z"))).isFalse();
  }

  @Test
  void negativeDaysOfMonth_countFromTheEndOfEachMonth() throws Exception {
    Routing routing = intervals("""
          - name: month-end
            time_intervals:
              - days_of_month: ['-3:-1']
        """);
    assertThat(routing.contains("month-end", at("2026-02-25T12:00:00Z"))).isFalse();
    assertThat(routing.contains("month-end", at("2026-02-26T12:00:00Z"))).isTrue(); // 28-day February
    assertThat(routing.contains("month-end", at("2026-03-28T12:00:00Z"))).isFalse();
    assertThat(routing.contains("month-end", at("2026-03-29T12:00:00Z"))).isTrue();
    assertThat(routing.contains("month-end", at("2026-04-28T12:00:00Z"))).isTrue(); // 30-day April
  }

  @Test
  void aDayBeyondTheMonth_neverMatchesItNorSpillsIntoTheNext() throws Exception {
    Routing routing = intervals("""
          - name: the-31st
            time_intervals:
              - days_of_month: ['31']
        """);
    assertThat(routing.contains("the-31st", at("2026-04-30T12:00:00Z"))).isFalse();
    assertThat(routing.contains("the-31st", at("2026-05-01T12:00:00Z"))).isFalse();
    assertThat(routing.contains("the-31st", at("2026-05-31T12:00:00Z"))).isTrue();
  }

  @Test
  void monthsAndYears_acceptNamesNumbersAndRanges_andEveryFieldMustMatch() throws Exception {
    Routing routing = intervals("""
          - name: freeze
            time_intervals:
              - months: ['december', '1']
                years: ['2026:2027']
                weekdays: [saturday, sunday]
        """);
    assertThat(routing.contains("freeze", at("2026-12-05T12:00:00Z"))).isTrue(); // Saturday
    assertThat(routing.contains("freeze", at("2026-12-07T12:00:00Z"))).isFalse(); // Monday
    assertThat(routing.contains("freeze", at("2027-01-02T12:00:00Z"))).isTrue(); // Saturday
    assertThat(routing.contains("freeze", at("2028-01-01T12:00:00Z"))).isFalse(); // Saturday, 2028
    assertThat(routing.contains("freeze", at("2026-11-28T12:00:00Z"))).isFalse(); // Saturday, November
  }

  @Test
  void aNamedInterval_isInsideWhenAnyOfItsPeriodsIs() throws Exception {
    Routing routing = intervals("""
          - name: off-hours
            time_intervals:
              - weekdays: [saturday, sunday]
              - times: [{start_time: '00:00', end_time: '08:00'}]
        """);
    assertThat(routing.contains("off-hours", at("2026-05-02T12:00:00Z"))).isTrue(); // Saturday noon
    assertThat(routing.contains("off-hours", at("2026-05-04T07:00:00Z"))).isTrue(); // Monday early
    assertThat(routing.contains("off-hours", at("2026-05-04T12:00:00Z"))).isFalse(); // Monday noon
  }

  @Test
  void badPeriods_areErrorsAtTheirPosition() {
    List<String> errors = yaml.errors("""
        time_intervals:
          - name: broken
            time_intervals:
              - times: [{start_time: '18:00', end_time: '09:00'}]
                weekdays: ['friday:monday', 'funday']
                days_of_month: ['0']
                months: ['13']
                location: Mars/Olympus
          - name: broken
            time_intervals: []
        """);
    assertThat(errors).containsExactly(
        "rules.yml:4:17: start_time must be before end_time",
        "rules.yml:5:20: weekdays: \"friday:monday\" starts after it ends",
        "rules.yml:5:37: weekdays: \"funday\" is not a weekday such as monday or a range such as monday:friday",
        "rules.yml:6:25: days_of_month: \"0\" is not a day from 1 to 31 or -31 to -1 (counting from the month's end), "
            + "or a range such as 1:5 or -3:-1",
        "rules.yml:7:18: months: \"13\" is not a month (january or 1) or a range such as january:march",
        "rules.yml:8:19: location: unknown time zone \"Mars/Olympus\"; use an IANA name such as Europe/Berlin, or UTC "
            + "or Local",
        "rules.yml:9:5: duplicate time interval name \"broken\" (first at rules.yml:2:5)");
  }
}
