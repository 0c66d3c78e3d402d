package io.tocsin.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** The most recent lifecycle events, newest first; a bounded log for the REST API. */
public final class AlertHistory {
  public static final int CAPACITY = 1_000;

  /**
   * An entry: when, what, and about which alert. Lifecycle entries ({@code firing}, {@code
   * repeat}, {@code resolved}) have no channel; delivery entries ({@code sent}, {@code retry},
   * {@code failed}, {@code gave_up}, {@code silenced}, {@code deduplicated}) name it, and their
   * labels are those the alerts share.
   */
  public record Entry(long at, String type, String monitorId, String monitor, Map<String, String> labels,
      double value, String detail, String channel) {}

  private final Deque<Entry> entries = new ArrayDeque<>();
  private long version;

  public synchronized void add(Entry entry) {
    version++;
    entries.addFirst(entry);
    while (entries.size() > CAPACITY) {
      entries.removeLast();
    }
  }

  /** Grows with every entry added, so that a saver can tell whether anything changed. */
  public synchronized long version() {
    return version;
  }

  /** The entries added after {@code version}, newest first, with the version they bring the history to. */
  public record Added(long version, List<Entry> entries) {}

  /**
   * The entries added since {@code version} (at most {@link #CAPACITY}, the newest), newest first:
   * what a saver that saved up to {@code version} has to add.
   */
  public synchronized Added since(long version) {
    long count = Math.min(this.version - version, entries.size());
    List<Entry> added = new ArrayList<>((int) Math.max(0, count));
    for (Entry e : entries) {
      if (added.size() >= count) {
        break;
      }
      added.add(e);
    }
    return new Added(this.version, added);
  }

  /** Newest first. */
  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries);
  }

  public synchronized void restore(List<Entry> saved) {
    entries.clear();
    saved.stream().limit(CAPACITY).forEach(entries::addLast);
  }
}
