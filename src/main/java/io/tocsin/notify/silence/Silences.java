package io.tocsin.notify.silence;

import io.tocsin.util.Quarantine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silences, kept in {@code <data_dir>/silences.json}: loaded on construction and written
 * (atomically) on every change. An expired silence stays visible for {@link #RETENTION} after it
 * ended, then is dropped.
 *
 * <p>In a cluster every member keeps all silences: a local change is handed to the
 * {@link #onChange} listeners (which broadcast it), and a peer's is applied with {@link #merge},
 * where the one updated last wins. So that a change made here always wins over what this member
 * has seen, even with a clock behind a peer's, its update time is at least 1 ms after the one it
 * replaces.
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
  private final List<Consumer<Silence>> listeners = new CopyOnWriteArrayList<>();

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

  /**
   * Calls {@code listener} with every silence created, updated or expired here, as saved, once it
   * is written; not with those applied by {@link #merge}, so that what a peer sent is not sent back.
   * Called on the thread that made the change, outside this store's lock (a broadcast must not
   * hold up lookups and merges); two changes of one silence may reach it in either order, and the
   * later one is the one with the later {@link Silence#updatedAt}.
   */
  public void onChange(Consumer<Silence> listener) {
    listeners.add(listener);
  }

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
  public Optional<Silence> save(Draft draft) throws IOException {
    Optional<Silence> saved = write(draft);
    saved.ifPresent(this::changed);
    return saved;
  }

  private synchronized Optional<Silence> write(Draft draft) throws IOException {
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
        draft.comment() != null || old == null ? draft.comment() : old.comment(), updateTime(old, now));
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
  public Optional<Silence> expire(String id) throws IOException {
    Silence old;
    Optional<Silence> expired;
    synchronized (this) {
      old = byId.get(id);
      if (old == null) {
        return Optional.empty();
      }
      expired = end(old);
    }
    if (expired.isEmpty()) {
      return Optional.of(old);
    }
    changed(expired.get());
    return expired;
  }

  /** {@code old} expired now and written; empty when it had already expired. */
  private synchronized Optional<Silence> end(Silence old) throws IOException {
    String id = old.id();
    Instant now = now();
    Silence.State state = old.state(now.toEpochMilli());
    if (state == Silence.State.EXPIRED) {
      return Optional.empty();
    }
    Silence expired = new Silence(old.id(), old.matchers(), state == Silence.State.PENDING ? now : old.startsAt(),
        now, old.createdBy(), old.comment(), updateTime(old, now));
    Map<String, Silence> next = retained(now);
    next.put(id, expired);
    commit(next);
    log.info("silence {} expired: {}", id, expired.matchers());
    return Optional.of(expired);
  }

  /**
   * Applies a silence a peer created, updated or expired, when it was updated after the one here
   * (the same update time: the one whose encoding sorts last, so that every member picks the
   * same), and writes the file. One past its retention is ignored. The {@link #onChange}
   * listeners are not called.
   *
   * @param source who sent it, for the log ("peer host:port")
   * @return whether it changed anything here
   */
  public boolean merge(Silence silence, String source) {
    return !merge(List.of(silence), source).isEmpty();
  }

  /**
   * {@link #merge(Silence, String)} for many silences (a peer's state), with one write.
   *
   * @return the silences that changed something here
   */
  public synchronized List<Silence> merge(Collection<Silence> silences, String source) {
    Instant now = now();
    Map<String, Silence> next = retained(now);
    List<Silence> applied = new ArrayList<>();
    for (Silence incoming : silences) {
      Silence old = next.get(incoming.id());
      if (!incoming.endsAt().plus(RETENTION).isAfter(now) || (old != null && !newer(incoming, old))) {
        continue;
      }
      next.put(incoming.id(), incoming);
      applied.add(incoming);
      boolean expired = incoming.state(now.toEpochMilli()) == Silence.State.EXPIRED;
      String what = old == null ? "created" : expired && old.state(now.toEpochMilli()) != Silence.State.EXPIRED
          ? "expired" : "updated";
      log.info("silence {} {} by {}: {} from {} to {} by \"{}\": {}", incoming.id(), what, source,
          incoming.matchers(), incoming.startsAt(), incoming.endsAt(), incoming.createdBy(), incoming.comment());
    }
    if (applied.isEmpty()) {
      return applied;
    }
    try {
      commit(next);
    } catch (IOException e) {
      // Unlike a local change, nobody can be told to retry: the cluster has decided, so the silence
      // applies here too, and the next write saves it.
      log.error("cannot write {} after a silence from {}: {}", file.path(), source, e.toString());
      install(next);
    }
    return applied;
  }

  /** Last update wins; on a tie the larger encoding, which every member computes alike. */
  private static boolean newer(Silence incoming, Silence old) {
    int byTime = incoming.updatedAt().compareTo(old.updatedAt());
    if (byTime != 0) {
      return byTime > 0;
    }
    return Arrays.compare(SilenceJson.encode(List.of(incoming)), SilenceJson.encode(List.of(old))) > 0;
  }

  /** Now, or just after {@code old}'s update when this clock is behind the peer's that wrote it. */
  private static Instant updateTime(Silence old, Instant now) {
    if (old == null || now.isAfter(old.updatedAt())) {
      return now;
    }
    return old.updatedAt().plusMillis(1);
  }

  private void changed(Silence silence) {
    for (Consumer<Silence> listener : listeners) {
      try {
        listener.accept(silence);
      } catch (RuntimeException e) {
        // The change is saved here; the peers get it with the next state exchange.
        log.error("silence {} saved, but a listener failed: {}", silence.id(), e.toString());
      }
    }
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
