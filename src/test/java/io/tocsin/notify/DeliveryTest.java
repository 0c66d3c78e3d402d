package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeliveryTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      30                            | PT30S
      ' 5 '                         | PT5S
      0                             | PT0S
      -1                            | null
      Sun, 01 Mar 2026 12:01:30 GMT | PT1M30S
      Sun, 01 Mar 2026 11:59:00 GMT | PT0S
      soon                          | null
      ''                            | null
      """)
  void retryAfter_secondsOrHttpDate_isTheDelayAsked(String header, Duration expected) {
    assertThat(Delivery.retryAfter(header, NOW)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      202 | SENT
      429 | RETRY
      503 | RETRY
      400 | FAILED
      404 | FAILED
      """)
  void ofHttp_status_isClassified(int status, Delivery.Outcome outcome) {
    assertThat(Delivery.ofHttp(status, "", null).outcome()).isEqualTo(outcome);
  }
}
