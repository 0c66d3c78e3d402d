package io.tocsin.rules;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** The most recent lifecycle events, newest first; a bounded log for the REST API. */
public final class AlertHistory {
  static final int CAPACITY = 1_000;

  /** An entry: when, what, and about which alert. */
  public record Entry(long at, String type, String monitorId, String monitor, Map<String, String> labels,
      double value, String detail) {}

  private final Deque<Entry> entries = new ArrayDeque<>();

  public synchronized void add(Entry entry) {
    entries.addFirst(entry);
    while (entries.size() > CAPACITY) {
      entries.removeLast();
    }
  }

  void addAll(MonitorDefinition monitor, List<AlertEvent> events) {
    for (AlertEvent e : events) {
      add(new Entry(e.at(), e.type().id(), monitor.id(), monitor.name(), e.labels().asMap(), e.value(), e.reason()));
    }
  }

  /** Newest first. */
  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries);
  }

  synchronized void restore(List<Entry> saved) {
    entries.clear();
    saved.stream().limit(CAPACITY).forEach(entries::addLast);
  }
}
