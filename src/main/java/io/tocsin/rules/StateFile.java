package io.tocsin.rules;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.tocsin.history.AlertHistory;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import io.tocsin.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Monitor states and alert history in {@code <data_dir>/state.json}. Each save replaces the file
 * atomically ({@link AtomicFiles}), so a crash leaves the previous state or the new one.
 */
final class StateFile {
  static final String NAME = "state.json";
  private static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final Set<String> STATES =
      Arrays.stream(State.values()).map(State::id).collect(Collectors.toUnmodifiableSet());

  private final Path file;

  StateFile(Path dataDir) {
    this.file = dataDir.resolve(NAME);
  }

  Path path() {
    return file;
  }

  /** What is saved of one monitor; {@code key} is {@link MonitorDefinition#stateKey()}. */
  record SavedMonitor(String key, String name, long lastBucketEnd, boolean paused, List<SavedGroup> groups) {}

  record SavedGroup(Map<String, String> labels, String state, int streak, long activeAt, long firedAt,
      long resolvedAt, long lastBreachEnd, long lastValueEnd, double value, long lastNotified) {

    static SavedGroup of(GroupState g) {
      return new SavedGroup(g.labels().asMap(), g.state().id(), g.streak(), g.activeAt(), g.firedAt(), g.resolvedAt(),
          g.lastBreachEnd(), g.lastValueEnd(), g.value(), g.lastNotified());
    }

    GroupState toState() {
      return new GroupState(Labels.of(labels), State.valueOf(state.toUpperCase(Locale.ROOT)), streak,
          activeAt, firedAt, resolvedAt, lastBreachEnd, lastValueEnd, value, lastNotified);
    }
  }

  /**
   * The whole file. {@code savedAt} is when the process that wrote it was last known alive: it
   * saves at every change of state and on a graceful stop, so the next start takes the time
   * from there to its own start as downtime ({@link Downtime}).
   */
  record Saved(int version, long savedAt, List<SavedMonitor> monitors, List<AlertHistory.Entry> history) {}

  void save(List<SavedMonitor> monitors, List<AlertHistory.Entry> history, long nowMs) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(new Saved(VERSION, nowMs, monitors, history));
    AtomicFiles.write(file, bytes);
  }

  /**
   * The saved state, or null when there is none yet.
   *
   * @throws IOException when the file cannot be read or is not a state this version wrote, down to
   *     every group's state, so that nothing fails later on what was read here
   */
  Saved load() throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    return check(JSON.readValue(file.toFile(), Saved.class));
  }

  private static Saved check(Saved saved) throws IOException {
    if (saved == null) {
      throw new IOException("no state object");
    }
    if (saved.version() != VERSION) {
      throw new IOException("format version " + saved.version() + ", expected " + VERSION);
    }
    if (saved.monitors() == null || saved.history() == null) {
      throw new IOException("no \"monitors\" or \"history\" list");
    }
    for (SavedMonitor m : saved.monitors()) {
      if (m == null || m.key() == null || m.groups() == null) {
        throw new IOException("a monitor without \"key\" or \"groups\"");
      }
      for (SavedGroup g : m.groups()) {
        if (g == null || g.labels() == null || g.labels().containsValue(null) || g.state() == null
            || !STATES.contains(g.state())) {
          throw new IOException("monitor \"" + m.name() + "\" has a group without labels or with an unknown state");
        }
      }
    }
    for (AlertHistory.Entry e : saved.history()) {
      if (e == null || e.type() == null || e.labels() == null || e.labels().containsValue(null)) {
        throw new IOException("a history entry without \"type\" or \"labels\"");
      }
    }
    return saved;
  }
}
