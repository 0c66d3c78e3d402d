package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Backoff LOWEST = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), bound -> 0);
  private static final Backoff HIGHEST = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), bound -> bound - 1);

  @Test
  void delay_doublesPerAttempt_withinTheUpperHalf_andStopsAtTheMaximum() {
    assertThat(LOWEST.delayMillis(1, null)).isEqualTo(500);
    assertThat(HIGHEST.delayMillis(1, null)).isEqualTo(1_000);
    assertThat(LOWEST.delayMillis(4, null)).isEqualTo(4_000);
    assertThat(HIGHEST.delayMillis(4, null)).isEqualTo(8_000);
    assertThat(LOWEST.delayMillis(20, null)).isEqualTo(150_000);
    assertThat(HIGHEST.delayMillis(40, null)).isEqualTo(300_000);
  }

  @Test
  void delay_isTheChannelsRetryAfter_whenItAsksForLonger() {
    assertThat(HIGHEST.delayMillis(1, Duration.ofSeconds(30))).isEqualTo(30_000);
    assertThat(HIGHEST.delayMillis(4, Duration.ofSeconds(2))).isEqualTo(8_000);
  }

  @Test
  void defaultDelay_isRandomWithinTheUpperHalf() {
    for (int i = 0; i < 100; i++) {
      assertThat(Backoff.DEFAULT.delayMillis(3, null)).isBetween(2_000L, 4_000L);
    }
  }
}
