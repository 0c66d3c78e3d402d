package io.tocsin.rules;

import io.tocsin.rules.GroupState.State;
import java.util.Comparator;

/**
 * A monitor's pending and firing groups, at most a given number of them, with how many there
 * are in all: what an alert listing needs without copying every group of a monitor with
 * hundreds of thousands. {@code status.groups()} holds only the groups kept, firing ones first,
 * then by labels; its other fields are the monitor's as in {@link MonitorStatus}.
 */
public record ActiveGroups(MonitorStatus status, long pending, long firing) {
  /** Firing before pending (the ones worth showing when not all fit), then by labels. */
  static final Comparator<GroupState> ORDER = Comparator.<GroupState, Boolean>comparing(g -> g.state() != State.FIRING)
      .thenComparing(GroupState::labels);

  /** How many pending and firing groups were left out. */
  public long leftOut() {
    return pending + firing - status.groups().size();
  }
}
