package io.tocsin.rules;

/**
 * A monitor's figures without its groups, for listings ({@code GET /api/v1/monitors}, the status
 * page): the counts are kept as groups change state, so a listing costs nothing per group.
 *
 * @param groupsTotal the groups the monitor knows (ok ones included)
 */
public record MonitorSummary(MonitorDefinition definition, MonitorStatus.Health health, String lastError,
    long lastEvaluationMs, double evaluationMillis, boolean paused, boolean evaluatedHere, int groupsTotal,
    int pending, int firing) {

  /** ok, pending, firing, no_data, paused or error, as {@link MonitorStatus#state}. */
  public String state() {
    if (paused) {
      return "paused";
    }
    if (health == MonitorStatus.Health.ERROR) {
      return "error";
    }
    if (firing > 0) {
      return "firing";
    }
    if (pending > 0) {
      return "pending";
    }
    return groupsTotal == 0 && health == MonitorStatus.Health.OK ? "no_data" : "ok";
  }
}
