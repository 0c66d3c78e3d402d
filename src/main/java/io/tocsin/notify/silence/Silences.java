package io.tocsin.notify.silence;

import io.tocsin.util.Quarantine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silences, kept in {@code <data_dir>/silences.json}: loaded on construction and written
 * (atomically) on every change. An expired silence stays visible for {@link #RETENTION} after it
 * ended, then is dropped.
 *
 * <p>Thread-safe. Changes are serialized and take effect only once written; {@link #silencing},
 * called for every alert event, reads an immutable snapshot without locking.
 */
public final class Silences {
  private static final Logger log = LoggerFactory.getLogger(Silences.class);
  /** How long an expired silence is kept, so that one can see what was silenced recently. */
  public static final Duration RETENTION = Duration.ofHours(24);

  private final SilenceFile file;
  private final Clock clock;
  private final Supplier<String> newId;
  /** Guarded by {@code this}; replaced, never changed in place. */
  private Map<String, Silence> byId = Map.of();
  private volatile List<Silence> snapshot = List.of();

  public Silences(Path dataDir, Clock clock) {
    this(dataDir, clock, () -> UUID.randomUUID().toString());
  }

  Silences(Path dataDir, Clock clock, Supplier<String> newId) {
    this.file = new SilenceFile(dataDir);
    this.clock = clock;
    this.newId = newId;
    load();
  }

  /**
   * What a client asks for. {@code id} null creates a silence, otherwise that one is replaced;
   * {@code startsAt} null means now (or, for an update, the time it had); {@code createdBy} and
   * {@code comment} null keep the old ones on an update.
   */
  public record Draft(String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy,
      String comment) {}

  /** The id of the silence that covers an alert with these labels at {@code atMs}, if any. */
  public Optional<String> silencing(Map<String, String> labels, long atMs) {
    for (Silence s : snapshot) {
      if (s.covers(labels, atMs)) {
        return Optional.of(s.id());
      }
    }
    return Optional.empty();
  }

  /**
   * Creates or updates a silence and writes the file.
   *
   * @return the silence as saved; empty when the draft names an id there is no silence for
   * @throws IllegalArgumentException when the draft is not a usable silence (message for the user)
   * @throws IOException when the file cannot be written; nothing changed then
   */
  public synchronized Optional<Silence> save(Draft draft) throws IOException {
    Instant now = now();
    Silence old = null;
    if (draft.id() != null) {
      old = byId.get(draft.id());
      if (old == null) {
        return Optional.empty();
      }
    }
    Objects.requireNonNull(draft.endsAt(), "endsAt");
    Instant startsAt = draft.startsAt() != null ? millis(draft.startsAt()) : old != null ? old.startsAt() : now;
    Instant endsAt = millis(draft.endsAt());
    if (!endsAt.isAfter(startsAt)) {
      throw new IllegalArgumentException("ends_at (" + endsAt + ") must be after starts_at (" + startsAt + ")");
    }
    if (!endsAt.isAfter(now)) {
      throw new IllegalArgumentException("ends_at (" + endsAt + ") must be in the future; it is now " + now);
    }
    Silence silence = new Silence(old != null ? old.id() : newId.get(), draft.matchers(), startsAt, endsAt,
        draft.createdBy() != null || old == null ? draft.createdBy() : old.createdBy(),
        draft.comment() != null || old == null ? draft.comment() : old.comment(), now);
    Map<String, Silence> next = retained(now);
    next.put(silence.id(), silence);
    commit(next);
    log.info("silence {} {}: {} from {} to {} by \"{}\": {}", silence.id(), old == null ? "created" : "updated",
        silence.matchers(), silence.startsAt(), silence.endsAt(), silence.createdBy(), silence.comment());
    return Optional.of(silence);
  }

  /**
   * Ends a silence now (a pending one also starts now, so it never was active) and writes the
   * file; an expired one stays as it is.
   *
   * @return the silence as it is now; empty when there is none with this id
   */
  public synchronized Optional<Silence> expire(String id) throws IOException {
    Silence old = byId.get(id);
    if (old == null) {
      return Optional.empty();
    }
    Instant now = now();
    Silence.State state = old.state(now.toEpochMilli());
    if (state == Silence.State.EXPIRED) {
      return Optional.of(old);
    }
    Silence expired = new Silence(old.id(), old.matchers(), state == Silence.State.PENDING ? now : old.startsAt(),
        now, old.createdBy(), old.comment(), now);
    Map<String, Silence> next = retained(now);
    next.put(id, expired);
    commit(next);
    log.info("silence {} expired: {}", id, expired.matchers());
    return Optional.of(expired);
  }

  public synchronized Optional<Silence> get(String id) {
    prune();
    return Optional.ofNullable(byId.get(id));
  }

  /**
   * All silences that are not past their retention: active ones first (ending soonest first),
   * then pending (starting soonest first), then expired (ended most recently first), like
   * Alertmanager lists them.
   */
  public synchronized List<Silence> list() {
    prune();
    long now = clock.millis();
    List<Silence> list = new ArrayList<>(byId.values());
    Comparator<Silence> order = Comparator.comparing((Silence s) -> rank(s.state(now)))
        .thenComparing(s -> s.state(now) == Silence.State.PENDING ? s.startsAt().toEpochMilli()
            : s.state(now) == Silence.State.ACTIVE ? s.endsAt().toEpochMilli() : -s.endsAt().toEpochMilli())
        .thenComparing(Silence::id);
    list.sort(order);
    return list;
  }

  private static int rank(Silence.State state) {
    return state == Silence.State.ACTIVE ? 0 : state == Silence.State.PENDING ? 1 : 2;
  }

  /** A copy of the silences without those past their retention at {@code now}. */
  private Map<String, Silence> retained(Instant now) {
    Map<String, Silence> kept = new LinkedHashMap<>();
    byId.forEach((id, s) -> {
      if (s.endsAt().plus(RETENTION).isAfter(now)) {
        kept.put(id, s);
      }
    });
    return kept;
  }

  /** Drops what is past its retention; a failed write is only logged, the next change retries. */
  private void prune() {
    Map<String, Silence> kept = retained(now());
    if (kept.size() == byId.size()) {
      return;
    }
    try {
      commit(kept);
    } catch (IOException e) {
      log.error("cannot write {} after dropping expired silences: {}", file.path(), e.toString());
      install(kept);
    }
  }

  private void commit(Map<String, Silence> next) throws IOException {
    file.save(next.values());
    install(next);
  }

  private void install(Map<String, Silence> next) {
    byId = next;
    snapshot = List.copyOf(next.values());
  }

  private synchronized void load() {
    List<Silence> loaded;
    try {
      loaded = file.load();
    } catch (IOException | RuntimeException e) {
      // A file that cannot be read must not stop Tocsin.
      Quarantine.setAside(file.path(), "silences", e, "starting with no silences", clock, log);
      return;
    }
    Map<String, Silence> map = new LinkedHashMap<>();
    loaded.forEach(s -> map.put(s.id(), s));
    install(map);
    prune();
    log.info("loaded {} silences from {}", byId.size(), file.path());
  }

  private Instant now() {
    return millis(clock.instant());
  }

  private static Instant millis(Instant t) {
    return t.truncatedTo(ChronoUnit.MILLIS);
  }
}
