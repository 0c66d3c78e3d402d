package io.tocsin.cluster;

import java.util.List;
import java.util.function.Consumer;

/**
 * What a {@link SharedState} sees of the cluster: the current view and a reliable broadcast.
 * Member names are stable across restarts (the member's {@code bind} address), so that they can
 * be hashed to place monitors.
 */
public interface Peers {
  /** This member's name. */
  String self();

  /** The members of the current view in view order: the oldest first, a member that (re)joined last. */
  List<String> members();

  /** This member's index in {@link #members}: 0 for the oldest. */
  default int position() {
    return Math.max(0, members().indexOf(self()));
  }

  /** Increases with every new view. */
  long viewId();

  /**
   * Sends {@code message} to the part named {@code state} on every other member: reliably, and in
   * the order this member sent them. Returns without waiting for the peers; never throws for a
   * peer that is gone (it gets the state when it joins again).
   */
  void broadcast(String state, byte[] message);

  /** Calls {@code listener} with the members of every new view, on a cluster thread. */
  void onViewChange(Consumer<List<String>> listener);
}
