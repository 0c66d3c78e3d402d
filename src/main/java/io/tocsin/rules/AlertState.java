package io.tocsin.rules;

import java.util.List;

/**
 * The alert-bearing part of a monitor's state: what another process needs to continue the
 * monitor's alerts where this one left them, without firing them again or losing a pending
 * count. Groups that are ok are left out; the data rebuilds them.
 *
 * @param monitorId the monitor's {@link MonitorDefinition#id}
 * @param stateKey its {@link MonitorDefinition#stateKey}: state applies only to a monitor with the
 *     same name, query and interval, as across a reload
 * @param lastBucketEnd the end of the last bucket evaluated, or -1
 * @param groups the pending and firing groups, sorted by labels
 */
public record AlertState(String monitorId, String stateKey, long lastBucketEnd, List<GroupState> groups) {
  public AlertState {
    groups = List.copyOf(groups);
  }
}
