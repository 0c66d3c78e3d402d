package io.tocsin.rules;

import java.util.List;

/**
 * Where a monitor's events go: the notification stage, or the log. The events of one
 * evaluation of one monitor come in one call, so that they can go out as one message.
 */
@FunctionalInterface
public interface AlertSink {
  void deliver(MonitorDefinition monitor, List<AlertEvent> events);

  /** Makes what was delivered so far durable: called before a save of the state that caused it. */
  default void flush() {}
}
