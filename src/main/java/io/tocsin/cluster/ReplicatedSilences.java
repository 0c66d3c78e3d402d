package io.tocsin.cluster;

import io.tocsin.notify.silence.Silence;
import io.tocsin.notify.silence.SilenceJson;
import io.tocsin.notify.silence.Silences;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The silences, the same on every member: each local change is broadcast, a peer's is merged
 * (the one updated last wins), and a joining member gets them all by state transfer. Messages and
 * state are {@link SilenceJson}: one silence per change, all of them as state.
 *
 * <p>When a view holds members this one did not see in the previous view (a joiner, or the other
 * side of a healed partition, which gets no state transfer), this member also broadcasts all its
 * silences, so that silences created on either side reach the other. Merging is idempotent, so the
 * copies a joiner gets twice cost nothing.
 */
public final class ReplicatedSilences implements SharedState {
  private static final Logger log = LoggerFactory.getLogger(ReplicatedSilences.class);
  static final String NAME = "silences";

  private final Peers peers;
  private final Silences silences;
  /** Guarded by {@code this}: the members of the previous view. */
  private Set<String> known = new HashSet<>();

  public ReplicatedSilences(Peers peers, Silences silences) {
    this.peers = peers;
    this.silences = silences;
    silences.onChange(s -> peers.broadcast(NAME, SilenceJson.encode(List.of(s))));
    peers.onViewChange(this::viewChanged);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void receive(String from, byte[] message) {
    apply(message, "peer " + from);
  }

  @Override
  public byte[] state() {
    return SilenceJson.encode(silences.list());
  }

  @Override
  public void merge(byte[] state) {
    apply(state, "a peer's state");
  }

  private void apply(byte[] json, String source) {
    List<Silence> received;
    try {
      received = SilenceJson.decode(json);
    } catch (IOException | RuntimeException e) {
      // Only a member with the secret can send, so this is a bug or another version: tell, go on.
      log.warn("ignoring silences from {} that cannot be read: {}", source, e.getMessage());
      return;
    }
    silences.merge(received, source);
  }

  private void viewChanged(List<String> members) {
    boolean newcomers;
    synchronized (this) {
      newcomers = members.stream().anyMatch(m -> !m.equals(peers.self()) && !known.contains(m));
      known = new HashSet<>(members);
    }
    List<Silence> all = silences.list();
    if (newcomers && !all.isEmpty()) {
      peers.broadcast(NAME, SilenceJson.encode(all));
    }
  }
}
