package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which buckets a downtime covers, at its edges: one-minute buckets due 30 s after their end. */
class DowntimeTest {
  private static final long MIN = 60_000;
  private static final long DELAY = 30_000;
  /** Last alive at 4:20, started again at 6:20. */
  private final Downtime downtime = new Downtime(4 * MIN + 20_000, 6 * MIN + 20_000);

  private boolean covers(int minute) {
    return downtime.covers(minute * MIN, (minute + 1) * MIN, DELAY);
  }

  @Test
  void covers_bucketsNotYetDueWhenLastAlive_thatStartBeforeTheStart() {
    assertThat(covers(2)).isFalse(); // due at 3:30, while alive
    assertThat(covers(3)).isTrue(); // due at 4:30: the previous process may not have received its late exports
    assertThat(covers(5)).isTrue();
    assertThat(covers(6)).isTrue(); // 6:00-6:20 was down
    assertThat(covers(7)).isFalse();
  }

  @Test
  void overlap_isTheCoveredBucketsWithinTheRange() {
    assertThat(downtime.overlap(0, 10 * MIN, MIN, DELAY)).isEqualTo(4 * MIN); // minutes 3 to 6
    assertThat(downtime.overlap(5 * MIN, 10 * MIN, MIN, DELAY)).isEqualTo(2 * MIN);
    assertThat(downtime.overlap(8 * MIN, 10 * MIN, MIN, DELAY)).isZero();
  }

  @Test
  void aStoreThatStartsEmpty_coversEverythingBeforeTheStart_andNoneCoversNothing() {
    Downtime lost = Downtime.before(6 * MIN + 20_000);
    assertThat(lost.covers(-100 * MIN, -99 * MIN, DELAY)).isTrue();
    assertThat(lost.covers(6 * MIN, 7 * MIN, DELAY)).isTrue();
    assertThat(lost.covers(7 * MIN, 8 * MIN, DELAY)).isFalse();
    assertThat(lost.overlap(MIN, 10 * MIN, MIN, DELAY)).isEqualTo(6 * MIN);
    assertThat(lost.keptWindow()).isFalse();
    assertThat(Downtime.NONE.covers(0, MIN, DELAY)).isFalse();
    assertThat(Downtime.NONE.overlap(0, 10 * MIN, MIN, DELAY)).isZero();
  }
}
