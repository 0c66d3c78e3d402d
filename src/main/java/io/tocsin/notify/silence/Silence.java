package io.tocsin.notify.silence;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A silence: while {@code startsAt <= t < endsAt}, alerts whose labels satisfy every matcher are
 * not sent (they are still evaluated and recorded). Immutable; times have millisecond precision.
 *
 * @param updatedAt when it was created or last changed
 */
public record Silence(String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy,
    String comment, Instant updatedAt) {

  /** Where a silence is in its life at some moment. */
  public enum State {
    PENDING, ACTIVE, EXPIRED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @throws IllegalArgumentException when there is no matcher, every matcher matches the empty
   *     string (it would cover every alert without these labels), or it ends before it starts
   */
  public Silence {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(startsAt, "startsAt");
    Objects.requireNonNull(endsAt, "endsAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    matchers = List.copyOf(matchers);
    createdBy = createdBy == null ? "" : createdBy;
    comment = comment == null ? "" : comment;
    if (matchers.isEmpty()) {
      throw new IllegalArgumentException("a silence needs at least one matcher");
    }
    if (matchers.stream().allMatch(m -> m.matchesValue(""))) {
      // Alertmanager refuses these too: {zone=""} alone would silence nearly everything.
      throw new IllegalArgumentException("at least one matcher must not match the empty string; "
          + "otherwise the silence covers every alert that lacks these labels");
    }
    if (endsAt.isBefore(startsAt)) {
      throw new IllegalArgumentException("endsAt (" + endsAt + ") is before startsAt (" + startsAt + ")");
    }
  }

  public State state(long atMs) {
    if (atMs < startsAt.toEpochMilli()) {
      return State.PENDING;
    }
    return atMs < endsAt.toEpochMilli() ? State.ACTIVE : State.EXPIRED;
  }

  /** Whether it is active at {@code atMs} and every matcher matches these labels. */
  public boolean covers(Map<String, String> labels, long atMs) {
    if (state(atMs) != State.ACTIVE) {
      return false;
    }
    for (Matcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }
}
