package io.tocsin.notify;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * How a send went: accepted, worth retrying (network trouble, 5xx, 429), or failed for good
 * (other 4xx: the request itself is wrong, and sending it again will not help).
 *
 * @param detail what the channel answered, for the history; never a secret
 * @param retryAfter for a retry, how long the channel asked us to wait, or null
 */
public record Delivery(Outcome outcome, String detail, Duration retryAfter) {
  private static final int MAX_DETAIL = 300;
  /** What ends a detail that was shortened. */
  static final String CUT = "…";

  public enum Outcome {
    SENT, RETRY, FAILED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static Delivery sent(String detail) {
    return new Delivery(Outcome.SENT, detail, null);
  }

  public static Delivery retry(String detail, Duration retryAfter) {
    return new Delivery(Outcome.RETRY, detail, retryAfter);
  }

  public static Delivery failed(String detail) {
    return new Delivery(Outcome.FAILED, detail, null);
  }

  /**
   * A network error talking to {@code target}: the channel may be back soon. The detail says what
   * happened and with which host and port ({@link NetworkFailures}).
   *
   * @param timeout the request timeout, for the message; null when not known
   */
  public static Delivery of(IOException e, URI target, Duration timeout) {
    return retry(NetworkFailures.describe(e, NetworkFailures.hostAndPort(target), timeout), null);
  }

  /**
   * Classifies an HTTP answer: 2xx sent; 429 and 5xx retried (after {@code Retry-After}, in
   * seconds or as an HTTP date, when given); any other status failed.
   */
  public static Delivery ofHttp(int status, String body, String retryAfterHeader) {
    String detail = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + shorten(body));
    if (status >= 200 && status < 300) {
      return sent(detail);
    }
    if (status == 429 || status >= 500) {
      return retry(detail, retryAfter(retryAfterHeader));
    }
    return failed(detail);
  }

  /** The same outcome with the secrets taken out of its detail. */
  public Delivery redacted(Redactor redactor) {
    return new Delivery(outcome, redactor.redact(detail), retryAfter);
  }

  public boolean isSent() {
    return outcome == Outcome.SENT;
  }

  static Duration retryAfter(String header) {
    return retryAfter(header, Instant.now());
  }

  /**
   * {@code Retry-After} as RFC 9110 (section 10.2.3) has it: a number of seconds, or an HTTP date,
   * which is measured from {@code now} (the wall clock: the date is the service's). A date in the
   * past means at once; anything unreadable, the normal backoff.
   */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      // an HTTP date, below
    }
    try {
      Duration until = Duration.between(now, ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
          .toInstant());
      return until.isNegative() ? Duration.ZERO : until;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static String shorten(String text) {
    String oneLine = text.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= MAX_DETAIL ? oneLine : oneLine.substring(0, MAX_DETAIL) + CUT;
  }
}
