package io.tocsin.rules;

import io.tocsin.rules.GroupState.State;

/**
 * What of a group's state the state file keeps, and when that changes: a save writes only the
 * groups whose saved form changed. The ends of the last breaching bucket and of the last bucket
 * with a value are kept relative to the monitor's last evaluated bucket when they are that bucket
 * ({@link StateFile.SavedGroup#lastBreachAtEnd}), and the streak relative to the last breaching
 * bucket (each breaching bucket adds one to both), so a pending or firing group that goes on
 * breaching, or an ok group that goes on having values, saves nothing new. Left out is the last
 * value, which changes every bucket without changing what a restart needs (the next evaluation
 * reads the data again): a restored group shows the value it had when it was last saved. With
 * levels, each level's run is saved as it is: it stays put while its level fires and breaches on,
 * and changes (so is saved each bucket) only while it pends or fires on without a breach, for at
 * most its for_duration or keep_firing_for.
 */
final class SavedForm {
  private SavedForm() {}

  /**
   * Whether the state file keeps {@code g}: pending, firing and resolved groups, and with
   * absent_points zero or alert ({@code keepAll}) every known group, since a vanished one must
   * then fire. Groups that were only ever ok are rebuilt from the data.
   */
  static boolean kept(GroupState g, boolean keepAll) {
    return keepAll || g.state() != State.OK || g.resolvedAt() > 0;
  }

  /** {@link #kept(GroupState, boolean)} of a group's slot. */
  static boolean kept(GroupSlot g, boolean keepAll) {
    return keepAll || g.state != State.OK || g.resolvedAt > 0;
  }

  /**
   * Whether {@code a}, as of a monitor's last bucket ending at {@code aEnd}, and {@code b}, as of
   * {@code bEnd}, save the same (null for a group that is not known); bucket ends are multiples of
   * {@code intervalMs}.
   */
  static boolean same(GroupSlot a, long aEnd, GroupSlot b, long bEnd, long intervalMs, boolean keepAll) {
    boolean aKept = a != null && kept(a, keepAll);
    boolean bKept = b != null && kept(b, keepAll);
    if (!aKept || !bKept) {
      return aKept == bKept;
    }
    return a.state == b.state
        && a.streak - a.lastBreachEnd / intervalMs == b.streak - b.lastBreachEnd / intervalMs
        && a.activeAt == b.activeAt && a.firedAt == b.firedAt && a.resolvedAt == b.resolvedAt
        && a.lastNotified == b.lastNotified && a.levels.equals(b.levels)
        && relative(a.lastBreachEnd, aEnd) == relative(b.lastBreachEnd, bEnd)
        && relative(a.lastValueEnd, aEnd) == relative(b.lastValueEnd, bEnd);
  }

  /** A time as saved: a marker when it is the end of the monitor's last evaluated bucket. */
  private static long relative(long ms, long end) {
    return ms == end ? Long.MIN_VALUE : ms;
  }
}
