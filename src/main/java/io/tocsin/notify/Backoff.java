package io.tocsin.notify;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * When to try again after a retryable failure: exponential (1 s, 2 s, 4 s ... capped at 5
 * minutes) with jitter over the upper half, so that many alerts failing together do not retry in
 * lockstep. A channel's own {@code Retry-After} wins when it asks for longer.
 *
 * @param random a number in {@code [0, bound)} for {@code bound}: random in service, fixed in
 *     tests, which then know each delay exactly
 */
record Backoff(Duration initial, Duration max, LongUnaryOperator random) {
  static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5),
      bound -> ThreadLocalRandom.current().nextLong(bound));

  /** The delay before attempt {@code attempt + 1}, after {@code attempt} failures (1 or more). */
  long delayMillis(int attempt, Duration retryAfter) {
    long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt - 1, 30));
    long jittered = ceiling / 2 + random.applyAsLong(ceiling / 2 + 1);
    return retryAfter == null ? jittered : Math.max(retryAfter.toMillis(), jittered);
  }
}
