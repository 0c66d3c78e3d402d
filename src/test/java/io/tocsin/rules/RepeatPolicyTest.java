package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepeatPolicyTest {
  private static final long MIN = 60_000;

  /** The minutes after firing at which repeats go out, sending each at its due time, up to {@code horizon}. */
  private static List<Long> repeats(RepeatPolicy policy, long horizonMinutes) {
    List<Long> sent = new ArrayList<>();
    long last = 0;
    while (true) {
      long next = policy.nextRepeatAt(0, last);
      if (next > horizonMinutes * MIN) {
        return sent;
      }
      sent.add(next / MIN);
      last = next;
    }
  }

  @Test
  void fixed_repeatsEveryInterval() {
    assertThat(repeats(RepeatPolicy.every(Duration.ofMinutes(10)), 45)).containsExactly(10L, 20L, 30L, 40L);
  }

  @Test
  void linear_waitsOneMoreIntervalEachTime() {
    assertThat(repeats(new RepeatPolicy(RepeatPolicy.Strategy.LINEAR, Duration.ofMinutes(10), 0), 160))
        .containsExactly(10L, 30L, 60L, 100L, 150L);
  }

  @Test
  void exponential_doublesTheWait() {
    assertThat(repeats(new RepeatPolicy(RepeatPolicy.Strategy.EXPONENTIAL, Duration.ofMinutes(10), 0), 700))
        .containsExactly(10L, 30L, 70L, 150L, 310L, 630L);
  }

  @Test
  void limit_stopsAfterThatManyRepeats() {
    assertThat(repeats(new RepeatPolicy(RepeatPolicy.Strategy.FIXED, Duration.ofMinutes(10), 3), 1_000))
        .containsExactly(10L, 20L, 30L);
  }

  @Test
  void aLateRepeat_doesNotShiftTheOnesAfterIt() {
    RepeatPolicy linear = new RepeatPolicy(RepeatPolicy.Strategy.LINEAR, Duration.ofMinutes(10), 0);
    // The first repeat, due at 10, went out at 14 (a late bucket, a restart): the second is still due at 30.
    assertThat(linear.nextRepeatAt(0, 14 * MIN)).isEqualTo(30 * MIN);
  }

  @Test
  void zeroInterval_neverRepeats_andHugeCountsDoNotOverflow() {
    assertThat(RepeatPolicy.NEVER.nextRepeatAt(0, 0)).isEqualTo(Long.MAX_VALUE);
    RepeatPolicy exponential = new RepeatPolicy(RepeatPolicy.Strategy.EXPONENTIAL, Duration.ofDays(365), 0);
    assertThat(exponential.nextRepeatAt(0, Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void repeatsWithin_isTheLargestCountDueWithinNIntervals() {
    for (RepeatPolicy.Strategy strategy : RepeatPolicy.Strategy.values()) {
      long j = 0;
      for (long n = 0; n < 5_000; n++) {
        while (strategy.intervalsUntil(j + 1) <= n) {
          j++;
        }
        assertThat(strategy.repeatsWithin(n)).as(strategy + " within " + n).isEqualTo(j);
      }
    }
    assertThat(RepeatPolicy.Strategy.FIXED.repeatsWithin(Long.MAX_VALUE / 2)).isEqualTo(Long.MAX_VALUE / 2);
  }
}
