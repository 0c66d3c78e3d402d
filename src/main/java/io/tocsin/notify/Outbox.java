package io.tocsin.notify;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.util.AtomicFiles;
import io.tocsin.util.Quarantine;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications waiting for their channel, one file each under {@code
 * <data_dir>/outbox/<channel>/}: written (atomically) before the first attempt and deleted once
 * the channel took it or it failed for good. Whatever is here at start was not delivered yet
 * and is sent again, so delivery is at least once.
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path root;
  /** Orders files created in the same millisecond; continues after the highest found on start. */
  private final AtomicLong sequence = new AtomicLong();

  Outbox(Path root) {
    this.root = root;
  }

  /** A notification and the file that holds it. */
  record Entry(Notification notification, Path file) {}

  /** A new, unique, creation-ordered id: {@code <created at, ms>-<sequence>}. */
  String nextId(long nowMs) {
    return String.format(Locale.ROOT, "%013d-%09d", nowMs, sequence.incrementAndGet());
  }

  Entry write(Notification notification) throws IOException {
    Path file = directory(notification.channel()).resolve(notification.id() + ".json");
    AtomicFiles.write(file, JSON.writeValueAsBytes(notification));
    return new Entry(notification, file);
  }

  void delete(Entry entry) {
    try {
      Files.deleteIfExists(entry.file());
    } catch (IOException e) {
      // It would be sent again after a restart: a duplicate, which at-least-once allows.
      log.error("cannot delete {} from the outbox: {}", entry.file(), e.toString());
    }
  }

  /**
   * The waiting notifications of a channel, oldest first. A file that cannot be read is set
   * aside ({@link Quarantine}) and logged, so that one broken file does not stop the others.
   */
  List<Entry> load(String channel) throws IOException {
    Path dir = directory(channel);
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.json")) {
        stream.forEach(files::add);
      }
    }
    files.sort(null);
    List<Entry> entries = new ArrayList<>();
    for (Path file : files) {
      try {
        Notification n = JSON.readValue(file.toFile(), Notification.class);
        entries.add(new Entry(n, file));
        sequence.accumulateAndGet(sequenceOf(n.id()), Math::max);
      } catch (IOException | RuntimeException e) {
        Path bad = Quarantine.moveAside(file, Clock.systemUTC());
        log.error("cannot read {} from the outbox, moved it to {}: {}", file, bad.getFileName(), Quarantine.reason(e));
      }
    }
    return entries;
  }

  /** A directory name that is safe on any file system and distinct for distinct channel names. */
  Path directory(String channel) {
    return root.resolve(directoryName(channel));
  }

  static String directoryName(String channel) {
    return MonitorDefinition.idOf(channel) + "-" + Integer.toHexString(channel.hashCode());
  }

  private static long sequenceOf(String id) {
    int dash = id.indexOf('-');
    try {
      return dash < 0 ? 0 : Long.parseLong(id.substring(dash + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
