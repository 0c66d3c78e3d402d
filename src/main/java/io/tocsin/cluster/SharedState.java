package io.tocsin.cluster;

/**
 * One kind of state the members of a cluster share (the notification log, the silences, the
 * alert state of sharded monitors). The cluster routes a peer's broadcasts to the part with the
 * same {@link #name} and, when a member joins, hands it every part's {@link #state} as one
 * transfer from the oldest member.
 *
 * <p>Methods are called on JGroups' threads: they must be thread-safe and must not block on
 * anything slower than a local file write.
 */
public interface SharedState {
  /** Unique among the parts of one cluster; also the name on the wire, so keep it stable. */
  String name();

  /** A message a peer sent with {@link Peers#broadcast}; never called with this member's own. */
  void receive(String from, byte[] message);

  /** Everything a joining member needs of this part, encoded; called on the member that hands it over. */
  byte[] state();

  /**
   * Merges the {@link #state} of a peer into this member's: once on a member that joined, and
   * again on every member when a partition heals (with the state of the other side), so it must
   * be a merge, never a replacement.
   */
  void merge(byte[] state);
}
