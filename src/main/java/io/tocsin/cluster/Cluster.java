package io.tocsin.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.PhysicalAddress;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.MsgStats;
import org.jgroups.protocols.TP;
import org.jgroups.util.LazyRemovalCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This member of a {@code cluster:} on JGroups. {@link #create} builds it unconnected, so that
 * the replicated parts can be constructed with it and {@link #register}ed; {@link #connect} then
 * joins and, when there are peers, takes every registered part's state from the oldest member in
 * one state transfer; {@link #close} leaves.
 *
 * <p>Threads: {@link SharedState#receive} runs on JGroups' message threads, one message at a time
 * per sender and in the order that sender broadcast them, messages of different senders at once.
 * A part that blocks there holds up that sender's later messages (and, past the flow-control
 * credits, the sender itself). View listeners run on the thread that installs the view, and
 * must return quickly. A broadcast before {@link #connect} or after {@link #close} goes nowhere
 * (peers get the part's state when this member joins).
 */
public final class Cluster implements Peers, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Cluster.class);
  private static final byte WIRE_VERSION = 1;
  private static final long STATE_TIMEOUT_MS = 60_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerConfig.Cluster settings;
  private final String self;
  private final JChannel channel;
  private final Map<String, SharedState> parts = new ConcurrentHashMap<>();
  private final List<Consumer<List<String>>> listeners = new CopyOnWriteArrayList<>();
  private final Counter viewChanges;
  /** Fetches peers' state after a partition heals, off the thread that installs the view. */
  private final ExecutorService healing = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "cluster-heal");
    thread.setDaemon(true);
    return thread;
  });
  private volatile List<String> members;
  private volatile long viewId;
  private volatile View installed;
  private volatile boolean connected;

  private Cluster(ServerConfig.Cluster settings, String self, JChannel channel, PrometheusRegistry registry) {
    this.settings = settings;
    this.self = self;
    this.channel = channel;
    this.members = List.of(self);
    GaugeWithCallback.builder().name("tocsin_cluster_members")
        .help("Members in this member's current cluster view, itself included")
        .callback(callback -> callback.call(members.size()))
        .register(registry);
    GaugeWithCallback.builder().name("tocsin_cluster_position")
        .help("This member's position in the view: 0 for the oldest, which notifies first")
        .callback(callback -> callback.call(position()))
        .register(registry);
    viewChanges = Counter.builder().name("tocsin_cluster_view_changes_total")
        .help("Views installed since this member joined: members joining, leaving or merging")
        .register(registry);
    // The transport's own count: heartbeats, views and replicated state, as they go on the wire.
    MsgStats sent = channel.getProtocolStack().getTransport().getMessageStats().enable(true);
    CounterWithCallback.builder().name("tocsin_cluster_sent_bytes")
        .help("Bytes this member sent to its peers, as on the wire (encrypted when cluster.secret is set)")
        .callback(callback -> callback.call(sent.getNumBytesSent()))
        .register(registry);
  }

  /** An unconnected member; nothing is bound or sent until {@link #connect}. */
  public static Cluster create(ServerConfig.Cluster settings, PrometheusRegistry registry) throws IOException {
    try {
      String self = ClusterStack.memberName(settings.bind());
      JChannel channel = new JChannel(ClusterStack.protocols(settings));
      channel.name(self);
      channel.setDiscardOwnMessages(true);
      Cluster cluster = new Cluster(settings, self, channel, registry);
      channel.setReceiver(cluster.new Handler());
      return cluster;
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cluster: cannot set up the JGroups channel: " + e.getMessage(), e);
    }
  }

  /** Routes peers' broadcasts under {@code part.name()} to it and includes it in state transfers. */
  public void register(SharedState part) {
    if (connected) {
      throw new IllegalStateException("register parts before connect()");
    }
    if (parts.putIfAbsent(part.name(), part) != null) {
      throw new IllegalArgumentException("a part named \"" + part.name() + "\" is registered already");
    }
  }

  /**
   * Joins the cluster (or starts it, when no member answers) and, with peers, merges their state
   * into the registered parts before returning.
   */
  public void connect() throws IOException {
    if (settings.secret().isEmpty()) {
      log.warn("cluster \"{}\": no cluster.secret: cluster traffic is neither authenticated nor encrypted",
          settings.name());
    }
    long started = System.nanoTime();
    try {
      channel.connect(settings.name(), null, STATE_TIMEOUT_MS);
    } catch (Exception e) {
      throw new IOException("cluster \"" + settings.name() + "\": cannot join on " + settings.bind() + ": "
          + e.getMessage(), e);
    }
    connected = true;
    List<String> now = members;
    log.info("cluster \"{}\": joined as {}, position {} of {} (view {})", settings.name(), self, position(),
        now.size(), viewId);
    long joinAttemptsMs = ClusterStack.JOIN_TIMEOUT_MS * ClusterStack.MAX_JOIN_ATTEMPTS;
    if (now.size() == 1 && (System.nanoTime() - started) / 1_000_000 >= joinAttemptsMs) {
      explainIfRefused();
    }
  }

  /**
   * Called when this member ends up alone after every join attempt timed out: that only happens
   * when discovery found a coordinator, and members that answer discovery (which is not
   * encrypted) but drop the join did not accept this member's key. (Members starting at the same
   * time decide in one discovery round, well before that.)
   */
  private void explainIfRefused() {
    TP transport = channel.getProtocolStack().getTransport();
    LazyRemovalCache<Address, PhysicalAddress> known = transport.getLogicalAddressCache();
    TreeSet<String> others = new TreeSet<>();
    for (Map.Entry<Address, LazyRemovalCache.Entry<PhysicalAddress>> e : known.entrySet()) {
      if (!e.getKey().equals(channel.getAddress()) && e.getValue().getVal() != null) {
        others.add(e.getValue().getVal().toString());
      }
    }
    if (!others.isEmpty()) {
      log.error("cluster \"{}\": could not join the members at {}: they refused this node's credentials — "
          + "cluster.secret must be the same on every member; running alone", settings.name(), others);
    }
  }

  @Override
  public String self() {
    return self;
  }

  @Override
  public List<String> members() {
    return members;
  }

  @Override
  public long viewId() {
    return viewId;
  }

  public String name() {
    return settings.name();
  }

  public ServerConfig.Cluster settings() {
    return settings;
  }

  @Override
  public void broadcast(String state, byte[] message) {
    try {
      channel.send(new BytesMessage(null, frame(state, message)));
    } catch (Exception e) {
      if (channel.isConnected()) {
        log.warn("cluster \"{}\": could not broadcast to {}: {}", settings.name(), state, e.toString());
      }
    }
  }

  @Override
  public void onViewChange(Consumer<List<String>> listener) {
    listeners.add(listener);
  }

  /** Leaves the view gracefully, so that peers take over at once instead of after peer_timeout. */
  @Override
  public void close() {
    boolean wasConnected = connected;
    connected = false;
    healing.shutdownNow();
    channel.close();
    if (wasConnected) {
      log.info("cluster \"{}\": {} left", settings.name(), self);
    }
  }

  /**
   * After a partition, each side may have recorded what the other has not (a delivery, a
   * silence): every member merges the state of one member of each side it was not on. A member
   * that was frozen (SIGSTOP, a long GC pause) may bring a stale view that still lists this one,
   * so the source is a member of that side this one did not see in its own last view, or else
   * any member there but itself; merging a state twice is harmless.
   */
  private void fetchStateOfTheOtherSides(MergeView merged, View previous) {
    Address me = channel.getAddress();
    List<Address> sources = new ArrayList<>();
    for (View side : merged.getSubgroups()) {
      if (previous != null && side.getViewId().equals(previous.getViewId())) {
        continue;
      }
      side.getMembers().stream()
          .filter(m -> !m.equals(me) && (previous == null || !previous.containsMember(m)))
          .findFirst()
          .or(() -> side.getMembers().stream().filter(m -> !m.equals(me)).findFirst())
          .ifPresent(sources::add);
    }
    if (sources.isEmpty()) {
      return;
    }
    healing.execute(() -> {
      for (Address source : sources) {
        try {
          channel.getState(source, STATE_TIMEOUT_MS);
          log.info("cluster \"{}\": partition healed: merged the state of {}", settings.name(), source);
        } catch (Exception e) {
          log.warn("cluster \"{}\": partition healed, but the state of {} could not be fetched: {}",
              settings.name(), source, e.toString());
        }
      }
    });
  }

  /** The JGroups channel, for tests that cut or mend the network. */
  JChannel channel() {
    return channel;
  }

  static byte[] frame(String part, byte[] message) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.length + part.length() + 8);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(WIRE_VERSION);
      out.writeUTF(part);
      out.write(message);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /** JGroups' callbacks. */
  private final class Handler implements Receiver {
    @Override
    public void receive(Message msg) {
      String from = String.valueOf(msg.getSrc());
      ByteBuffer in = ByteBuffer.wrap(msg.getArray(), msg.getOffset(), msg.getLength());
      SharedState part;
      byte[] body;
      try {
        if (in.get() != WIRE_VERSION) {
          throw new IllegalArgumentException("unknown version");
        }
        byte[] name = new byte[in.getShort() & 0xffff];
        in.get(name);
        part = parts.get(new String(name, StandardCharsets.UTF_8));
        body = new byte[in.remaining()];
        in.get(body);
      } catch (RuntimeException e) {
        log.debug("cluster: dropped an unreadable message from {}", from);
        return;
      }
      if (part == null) {
        return; // a part this member does not run (another version): nothing to do with it
      }
      try {
        part.receive(from, body);
      } catch (RuntimeException e) {
        log.error("cluster: {} failed on a message from {}", part.name(), from, e);
      }
    }

    @Override
    public void viewAccepted(View view) {
      List<String> names = new ArrayList<>();
      view.getMembers().forEach(a -> names.add(String.valueOf(a)));
      List<String> before = members;
      View previous = installed;
      installed = view;
      members = List.copyOf(names);
      viewId = view.getViewId().getId();
      if (connected) {
        viewChanges.inc();
      }
      if (connected && view instanceof MergeView merged) {
        // Before the check below: a member that was frozen may still hold a view of everyone.
        fetchStateOfTheOtherSides(merged, previous);
      }
      if (names.equals(before)) {
        // A member refused by the others (another secret) installs a view of itself after every
        // failed merge attempt; nothing changed for the parts.
        return;
      }
      if (connected) {
        List<String> joined = names.stream().filter(n -> !before.contains(n)).toList();
        List<String> left = before.stream().filter(n -> !names.contains(n)).toList();
        log.info("cluster \"{}\": view {}: {} (joined {}, left {}); this member at position {}",
            settings.name(), viewId, names, joined, left, position());
      }
      for (Consumer<List<String>> listener : listeners) {
        try {
          listener.accept(members);
        } catch (RuntimeException e) {
          log.error("cluster: a view listener failed", e);
        }
      }
    }

    @Override
    public void getState(OutputStream out) throws IOException {
      Map<String, byte[]> states = new LinkedHashMap<>();
      for (SharedState part : parts.values()) {
        try {
          states.put(part.name(), part.state());
        } catch (RuntimeException e) {
          log.error("cluster: {} could not hand over its state; the joiner starts without it", part.name(), e);
        }
      }
      out.write(JSON.writeValueAsBytes(Map.of("version", 1, "parts", states)));
    }

    @Override
    public void setState(InputStream in) throws IOException {
      JsonNode handed = JSON.readTree(in.readAllBytes()).path("parts");
      for (Iterator<Map.Entry<String, JsonNode>> it = handed.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        SharedState part = parts.get(entry.getKey());
        if (part == null) {
          continue;
        }
        try {
          part.merge(entry.getValue().binaryValue());
        } catch (IOException | RuntimeException e) {
          log.error("cluster: {} could not merge the state handed over; it starts from its own", part.name(), e);
        }
      }
      if (!parts.isEmpty()) {
        log.info("cluster \"{}\": received the state of {} from a peer", settings.name(),
            String.join(", ", iterable(handed.fieldNames())));
      }
    }
  }

  private static Iterable<String> iterable(Iterator<String> names) {
    List<String> list = new ArrayList<>();
    names.forEachRemaining(list::add);
    return list;
  }
}
