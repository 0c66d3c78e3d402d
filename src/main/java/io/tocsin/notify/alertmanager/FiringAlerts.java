package io.tocsin.notify.alertmanager;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts this channel told Alertmanager are firing and has not resolved, by fingerprint,
 * kept in a file so that a restart goes on refreshing them: Alertmanager resolves an alert on
 * its own once its {@code endsAt} passes. Every change is written at once, atomically.
 *
 * <p>Guarded by {@code this}: the channel's worker changes it, a test message only reads it.
 */
final class FiringAlerts {
  private static final Logger log = LoggerFactory.getLogger(FiringAlerts.class);
  private static final TypeReference<List<PostableAlert.Firing>> LIST = new TypeReference<>() {};

  private final Path file;
  private final ObjectMapper json;
  private final Map<String, PostableAlert.Firing> byFingerprint = new TreeMap<>();

  private FiringAlerts(Path file, ObjectMapper json) {
    this.file = file;
    this.json = json;
  }

  /** The set saved in {@code file}; empty when there is none or it cannot be read. */
  static FiringAlerts load(Path file, ObjectMapper json) {
    FiringAlerts alerts = new FiringAlerts(file, json);
    if (Files.exists(file)) {
      try {
        for (PostableAlert.Firing firing : json.readValue(file.toFile(), LIST)) {
          alerts.byFingerprint.put(firing.fingerprint(), firing);
        }
      } catch (IOException e) {
        // Not fatal: Alertmanager lets these alerts expire, and their next repeat adds them again.
        log.error("cannot read {}; starting without the alerts it held: {}", file, e.toString());
      }
    }
    return alerts;
  }

  /** The alert with this fingerprint as last posted firing, or null. */
  synchronized PostableAlert.Firing get(String fingerprint) {
    return byFingerprint.get(fingerprint);
  }

  synchronized List<PostableAlert.Firing> all() {
    return List.copyOf(byFingerprint.values());
  }

  /** Adds or replaces alerts (a repeat brings the latest annotations) and removes others. */
  synchronized void update(Collection<PostableAlert.Firing> firing, Collection<String> resolved) {
    boolean changed = false;
    for (PostableAlert.Firing f : firing) {
      changed |= !f.equals(byFingerprint.put(f.fingerprint(), f));
    }
    for (String fingerprint : resolved) {
      changed |= byFingerprint.remove(fingerprint) != null;
    }
    if (changed) {
      save();
    }
  }

  private void save() {
    try {
      AtomicFiles.write(file, json.writeValueAsBytes(new ArrayList<>(byFingerprint.values())));
    } catch (IOException e) {
      // The set in memory is still right; only a restart before the next good write loses it.
      log.error("cannot write {}: {}", file, e.toString());
    }
  }
}
