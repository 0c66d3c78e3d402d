package io.tocsin.rules;

/**
 * Which monitors this process evaluates now. A single process evaluates all of them; a cluster
 * that shards monitors evaluates each on a few members and hands the alert state of the others
 * in with {@link MonitorEngine#adopt}. Called on every scheduler tick for every monitor: keep it
 * cheap and thread-safe.
 */
@FunctionalInterface
public interface MonitorPlacement {
  /** Every monitor here: a single process, or a cluster whose members each evaluate everything. */
  MonitorPlacement EVERYWHERE = monitorId -> true;

  boolean evaluatesHere(String monitorId);
}
