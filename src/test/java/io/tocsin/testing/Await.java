package io.tocsin.testing;

import java.time.Duration;
import java.util.function.Predicate;

/** Waits in real time for a condition, polling, with a deadline: for tests that cannot drive a clock. */
public final class Await {
  private Await() {}

  /** Something to poll that may throw, such as an HTTP request. */
  public interface Poll<T> {
    T get() throws Exception;
  }

  /**
   * Polls {@code poll} every 200 ms until {@code done} accepts its answer, and returns that answer;
   * an {@link AssertionError} naming {@code what} and the last answer after {@code patience}.
   */
  public static <T> T until(String what, Duration patience, Poll<T> poll, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = poll.get();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(what + " did not happen within " + patience + "; last seen: " + last);
  }
}
