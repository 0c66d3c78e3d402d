package io.tocsin.testing;

import io.tocsin.cluster.Peers;
import io.tocsin.cluster.SharedState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Members of a cluster in one test, connected directly: a broadcast reaches the parts of the other
 * members synchronously. For unit tests of a {@link SharedState}'s logic (merging, ordering,
 * expiry); what travels over JGroups is tested with real {@code Cluster}s.
 */
public final class InMemoryPeers implements Peers {
  /** The members that see each other, in view order. */
  public static final class Network {
    private final List<InMemoryPeers> members = new CopyOnWriteArrayList<>();
    private long viewId;

    /** A new member at the end of the view; the others see the new view. */
    public InMemoryPeers join(String name) {
      InMemoryPeers member = new InMemoryPeers(this, name);
      members.add(member);
      announce();
      return member;
    }

    /** Takes a member out of the view, as a crash would. */
    public void leave(InMemoryPeers member) {
      members.remove(member);
      announce();
    }

    /** Hands {@code joiner} the state of the oldest other member, as the cluster does on join. */
    public void transferState(InMemoryPeers joiner) {
      InMemoryPeers oldest = members.stream().filter(m -> m != joiner).findFirst().orElseThrow();
      for (SharedState part : joiner.parts.values()) {
        SharedState source = oldest.parts.get(part.name());
        if (source != null) {
          part.merge(source.state());
        }
      }
    }

    private void announce() {
      viewId++;
      List<String> names = members.stream().map(InMemoryPeers::self).toList();
      for (InMemoryPeers m : members) {
        m.listeners.forEach(l -> l.accept(names));
      }
    }
  }

  private final Network network;
  private final String name;
  private final Map<String, SharedState> parts = new LinkedHashMap<>();
  private final List<Consumer<List<String>>> listeners = new CopyOnWriteArrayList<>();

  private InMemoryPeers(Network network, String name) {
    this.network = network;
    this.name = name;
  }

  /** Registers a part that receives what peers broadcast under its name. */
  public InMemoryPeers register(SharedState part) {
    parts.put(part.name(), part);
    return this;
  }

  @Override
  public String self() {
    return name;
  }

  @Override
  public List<String> members() {
    List<String> names = new ArrayList<>();
    network.members.forEach(m -> names.add(m.name));
    return names;
  }

  @Override
  public long viewId() {
    return network.viewId;
  }

  @Override
  public void broadcast(String state, byte[] message) {
    for (InMemoryPeers m : network.members) {
      SharedState part = m.parts.get(state);
      if (m != this && part != null) {
        part.receive(name, message.clone());
      }
    }
  }

  @Override
  public void onViewChange(Consumer<List<String>> listener) {
    listeners.add(listener);
  }
}
