package io.tocsin.cluster;

import io.tocsin.rules.AlertState;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorPlacement;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which members evaluate which monitor ({@code cluster.shard_monitors}), and the monitors' alert
 * state that the members share.
 *
 * <p>Placement: each monitor is evaluated by the {@code replicas} members of the current view
 * with the highest rendezvous weight, the first 64 bits of SHA-256 over the monitor id and the
 * member name (every member when there are no more members than replicas). Every member computes
 * the same owners from the same view, with no coordination; when a member leaves, only its
 * monitors move, each to the member with the next weight, and when one joins, it takes over only
 * the monitors where it now weighs more than an owner.
 *
 * <p>State: an owner broadcasts a monitor's {@link AlertState} after each evaluation that changed
 * it. Every member adopts what it receives for the monitors it does not evaluate, so that when it
 * takes one over it continues the pending counts and firing alerts from there (and its REST API
 * shows them meanwhile). An owner ignores the other owners' state for a monitor it evaluates:
 * both evaluate the same data, and each must make its own events for the notification log to
 * de-duplicate, so that an owner that dies before delivering loses nothing.
 *
 * <p>Without sharding ({@code replicas} 0) every member evaluates every monitor and nothing is
 * broadcast per evaluation; the join transfer still hands a member without state its peers'
 * alert states ({@link #state}, {@link #merge}).
 */
public final class MonitorSharding implements SharedState, MonitorPlacement {
  private static final Logger log = LoggerFactory.getLogger(MonitorSharding.class);
  static final String NAME = "monitor-alert-state";
  /** How many monitor ids a log line names before it only counts. */
  private static final int LOGGED_IDS = 20;

  private final Peers peers;
  private final MonitorEngine engine;
  private final int replicas;
  private volatile View view;

  /** The owners of each monitor in one view, worked out once per monitor and view. */
  private record View(List<String> members, Map<String, Boolean> here) {
    View(List<String> members) {
      this(List.copyOf(members), new ConcurrentHashMap<>());
    }
  }

  private MonitorSharding(Peers peers, MonitorEngine engine, int replicas) {
    this.peers = peers;
    this.engine = engine;
    this.replicas = Math.max(0, replicas);
    this.view = new View(peers.members());
  }

  /**
   * Shards {@code engine}'s monitors over {@code peers} with {@code replicas} owners each (0: no
   * sharding) and follows the views from now on. The caller registers the result as a part of
   * the cluster before joining it, so that the join transfer reaches {@link #merge}.
   */
  public static MonitorSharding attach(Peers peers, MonitorEngine engine, int replicas) {
    MonitorSharding sharding = new MonitorSharding(peers, engine, replicas);
    if (sharding.replicas > 0) {
      engine.placeBy(sharding);
      engine.onAlertStateChange(sharding::changed);
    }
    peers.onViewChange(sharding::viewChanged);
    return sharding;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean evaluatesHere(String monitorId) {
    View current = view;
    return current.here().computeIfAbsent(monitorId, id -> owners(id, current.members()).contains(peers.self()));
  }

  /**
   * The members that evaluate {@code monitorId} in the current view, highest weight first; every
   * member without sharding, and this one alone before it has joined a view.
   */
  public List<String> owners(String monitorId) {
    return owners(monitorId, view.members());
  }

  private List<String> owners(String monitorId, List<String> members) {
    if (!members.contains(peers.self())) {
      return List.of(peers.self());
    }
    if (replicas == 0 || replicas >= members.size()) {
      return members;
    }
    List<String> ranked = new ArrayList<>(members);
    ranked.sort(Comparator.comparing((String m) -> weight(monitorId, m), Long::compareUnsigned).reversed()
        .thenComparing(Comparator.naturalOrder()));
    return List.copyOf(ranked.subList(0, replicas));
  }

  /** The rendezvous weight: stable across processes and versions, well mixed in all 64 bits. */
  static long weight(String monitorId, String member) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(monitorId.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(member.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(sha.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private void viewChanged(List<String> members) {
    View before = view;
    view = new View(members);
    engine.placementChanged();
    if (replicas == 0) {
      return;
    }
    List<String> evaluated = new ArrayList<>();
    List<String> tookOver = new ArrayList<>();
    engine.placements().forEach((id, here) -> {
      if (here) {
        evaluated.add(id);
        if (!owners(id, before.members()).contains(peers.self())) {
          tookOver.add(id);
        }
      }
    });
    log.info("cluster view of {} members: this member evaluates {} of {} monitors (shard_monitors.replicas {}){}",
        members.size(), evaluated.size(), engine.placements().size(), replicas,
        tookOver.isEmpty() ? "" : "; took over " + tookOver.size() + ": " + named(tookOver));
  }

  private static String named(List<String> ids) {
    return String.join(", ", ids.subList(0, Math.min(LOGGED_IDS, ids.size())))
        + (ids.size() > LOGGED_IDS ? ", ..." : "");
  }

  /** Called by the engine after an evaluation here changed a monitor's alert state. */
  private void changed(AlertState state) {
    peers.broadcast(NAME, AlertStateCodec.encode(List.of(state)));
  }

  @Override
  public void receive(String from, byte[] message) {
    List<AlertState> states;
    try {
      states = AlertStateCodec.decode(message);
    } catch (IOException | RuntimeException e) {
      log.warn("ignoring an alert state from {} that cannot be read: {}", from, e.getMessage());
      return;
    }
    // The engine refuses the state of a monitor evaluated here, an unknown one, and an older one.
    states.forEach(engine::adopt);
  }

  /**
   * The alert states of every monitor, evaluated here or adopted; also those where nothing pends
   * or fires, so that a member restarted with alerts its peers resolved meanwhile learns it.
   */
  @Override
  public byte[] state() {
    return AlertStateCodec.encode(engine.alertStates());
  }

  /**
   * Adopts the peers' alert state of each monitor where it is newer than this member's (a member
   * restarted after a while, or started with an empty data_dir), so that a joiner's events carry
   * the same transition buckets as its peers'.
   */
  @Override
  public void merge(byte[] state) {
    List<AlertState> states;
    try {
      states = AlertStateCodec.decode(state);
    } catch (IOException | RuntimeException e) {
      log.warn("ignoring the monitors' alert states handed over on joining, which cannot be read: {}",
          e.getMessage());
      return;
    }
    List<String> adopted = new ArrayList<>();
    for (AlertState s : states) {
      if (engine.adopt(s) || engine.adoptOnJoin(s)) {
        adopted.add(s.monitorId());
      }
    }
    log.info("adopted the alert state of {} of {} monitors handed over on joining{}", adopted.size(), states.size(),
        adopted.isEmpty() ? "" : ": " + named(adopted));
  }
}
