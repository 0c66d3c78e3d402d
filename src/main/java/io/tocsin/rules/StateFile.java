package io.tocsin.rules;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import io.tocsin.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

  record Saved(int version, long savedAt, List<SavedMonitor> monitors, List<AlertHistory.Entry> history) {}

  void save(List<SavedMonitor> monitors, List<AlertHistory.Entry> history, long nowMs) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(new Saved(VERSION, nowMs, monitors, history));
    AtomicFiles.write(file, bytes);
  }

  /** The saved state, or null when there is none yet. */
  Saved load() throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    Saved saved = JSON.readValue(file.toFile(), Saved.class);
    if (saved.version() != VERSION) {
      throw new IOException(file + " has state format version " + saved.version() + ", expected " + VERSION);
    }
    return saved;
  }
}
