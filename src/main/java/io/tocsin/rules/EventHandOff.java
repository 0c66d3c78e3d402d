package io.tocsin.rules;

import io.tocsin.history.AlertHistory;
import io.tocsin.util.Numbers;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of the events of an evaluation: history entries, recorded while the evaluation
 * still holds the engine's evaluation lock (so a saved state never lacks them), then one log
 * line, the event counters and the {@link AlertSink}, after the lock is released.
 */
final class EventHandOff {
  private static final Logger log = LoggerFactory.getLogger(MonitorEngine.class);

  /** Shown per event in the log line of an evaluation; the rest are counted. */
  static final int LOGGED_EVENTS = 5;

  private final AlertHistory history;
  private final AlertSink sink;
  private final RulesMetrics metrics;

  /** @param metrics self-metrics, or null */
  EventHandOff(AlertHistory history, AlertSink sink, RulesMetrics metrics) {
    this.history = history;
    this.sink = sink;
    this.metrics = metrics;
  }

  /** Records the events and hands them on at once: for events made outside an evaluation (a reload's resolutions). */
  void deliver(MonitorDefinition monitor, List<AlertEvent> events) {
    record(monitor, events);
    hand(monitor, events);
  }

  void record(MonitorDefinition monitor, List<AlertEvent> events) {
    for (AlertEvent e : events) {
      history.add(new AlertHistory.Entry(e.at(), e.type().id(), monitor.id(), monitor.name(), labels(e), e.value(),
          e.reason(), null));
    }
  }

  /** An event's group labels, and with levels the level as {@code severity}, as its notifications carry it. */
  private static Map<String, String> labels(AlertEvent e) {
    if (e.severity().isEmpty()) {
      return e.labels().asMap();
    }
    Map<String, String> labels = new TreeMap<>(e.labels().asMap());
    labels.put("severity", e.severity());
    return labels;
  }

  /** Logs the events, counts them and hands them to the sink; their history entries are recorded. */
  void hand(MonitorDefinition monitor, List<AlertEvent> events) {
    log.info("{}", describe(monitor, events));
    if (metrics != null) {
      events.forEach(metrics::event);
    }
    try {
      sink.deliver(monitor, events);
    } catch (RuntimeException e) {
      log.error("delivering the events of monitor \"{}\" failed", monitor.name(), e);
    }
  }

  /**
   * One log line for the events of one evaluation, whatever channels exist: {@code monitor "Shard
   * is down": firing {node="n1"} value 0 (breaching since 2026-03-01T10:02:00Z), resolved
   * {node="n2"}}, the first {@link #LOGGED_EVENTS} events and a count of the others, so that a
   * storm of a thousand groups is one line, not a thousand.
   */
  static String describe(MonitorDefinition monitor, List<AlertEvent> events) {
    StringBuilder line = new StringBuilder("monitor \"").append(monitor.name()).append("\": ");
    for (int i = 0; i < Math.min(events.size(), LOGGED_EVENTS); i++) {
      AlertEvent e = events.get(i);
      line.append(i == 0 ? "" : ", ").append(e.type().id()).append(e.severity().isEmpty() ? "" : " " + e.severity())
          .append(' ').append(e.labels());
      if (e.type() == AlertEvent.Type.RESOLVED) {
        line.append(e.reason().isEmpty() ? "" : " (" + e.reason() + ")");
      } else {
        line.append(" value ").append(Numbers.format(e.value())).append(" (breaching since ")
            .append(Instant.ofEpochMilli(e.activeAt())).append(')');
      }
    }
    if (events.size() > LOGGED_EVENTS) {
      line.append(" and ").append(events.size() - LOGGED_EVENTS).append(" more");
    }
    return line.toString();
  }
}
