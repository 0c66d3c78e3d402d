package io.tocsin.rules;

import io.tocsin.rules.GroupState.State;
import java.util.List;
import java.util.Locale;

/**
 * A consistent view of one monitor at one moment, for the REST API and for persistence.
 *
 * @param lastBucketEnd the end of the last bucket evaluated, or -1
 * @param lastEvaluationMs when it was last evaluated (Unix ms), or 0
 * @param evaluationMillis how long that evaluation took
 * @param evaluatedHere whether this process evaluates the monitor now; when not (a cluster that
 *     shards monitors), the groups are those its evaluating peers replicated
 */
public record MonitorStatus(MonitorDefinition definition, List<GroupState> groups, long lastBucketEnd, Health health,
    String lastError, long lastEvaluationMs, double evaluationMillis, boolean paused, boolean evaluatedHere) {

  /** Whether the last evaluation worked. */
  public enum Health {
    UNKNOWN, OK, ERROR;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** ok, pending, firing, no_data, paused or error, as the REST API reports a monitor. */
  public String state() {
    if (paused) {
      return "paused";
    }
    if (health == Health.ERROR) {
      return "error";
    }
    if (count(State.FIRING) > 0) {
      return "firing";
    }
    if (count(State.PENDING) > 0) {
      return "pending";
    }
    return groups.isEmpty() && health == Health.OK ? "no_data" : "ok";
  }

  public long count(State state) {
    return groups.stream().filter(g -> g.state() == state).count();
  }

  /** Its figures, counted from its groups. */
  public MonitorSummary summary() {
    return new MonitorSummary(definition, health, lastError, lastEvaluationMs, evaluationMillis, paused, evaluatedHere,
        groups.size(), (int) count(State.PENDING), (int) count(State.FIRING));
  }
}
