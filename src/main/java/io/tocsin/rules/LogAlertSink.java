package io.tocsin.rules;

import io.tocsin.util.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes one line per event to the {@code alerts} logger (stdout by default). */
public final class LogAlertSink implements AlertSink {
  private static final Logger log = LoggerFactory.getLogger("alerts");

  @Override
  public void deliver(MonitorDefinition monitor, List<AlertEvent> events) {
    for (AlertEvent event : events) {
      log.info("{}", line(monitor, event));
    }
  }

  /**
   * For example: {@code firing monitor="Redis shard is down" labels={node="n1"} value=0
   * threshold=1 active_at=2026-03-01T12:00:00Z}.
   */
  static String line(MonitorDefinition monitor, AlertEvent event) {
    StringBuilder sb = new StringBuilder(event.type().id())
        .append(" monitor=\"").append(monitor.name().replace("\"", "\\\"")).append('"')
        .append(" labels=").append(event.labels())
        .append(" value=").append(format(event.value()))
        .append(monitor.unit().isEmpty() ? "" : " unit=" + monitor.unit())
        .append(" threshold=").append(format(event.threshold()))
        .append(" active_at=").append(Instant.ofEpochMilli(event.activeAt()));
    if (event.type() == AlertEvent.Type.RESOLVED) {
      sb.append(" resolved_at=").append(Instant.ofEpochMilli(event.resolvedAt()));
      if (event.firedAt() > 0) {
        sb.append(" fired_for=").append(Durations.format(Duration.ofMillis(event.resolvedAt() - event.firedAt())));
      }
      if (!event.reason().isEmpty()) {
        sb.append(" reason=").append(event.reason());
      }
    }
    return sb.toString();
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "none";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "").replaceAll("\\.?0+e", "e");
  }
}
