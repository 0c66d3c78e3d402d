package io.tocsin.notify;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.util.Quarantine;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications waiting for their channel, in files under {@code <data_dir>/outbox/<channel>/}:
 * written before the first attempt, forced to disk before it ({@link #sync}), and deleted once
 * the channel took or dropped every notification they hold. Whatever is here at start was not
 * delivered yet and is sent again, so delivery is at least once.
 *
 * <p>A file holds one notification per line, in the order they were written: the notifications a
 * channel gets between two syncs go to one file (named after the first one's id), so an
 * evaluation cycle whose transitions make a thousand notifications forces one file to disk, not a
 * thousand. Each one the channel is done with while others of its file still wait is marked done
 * by a line {@code {"done":"<id>"}} (not forced: after a crash it may be sent again, which
 * at-least-once allows). Files of one notification, as earlier versions wrote, read the same.
 */
final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final byte[] NEWLINE = {'\n'};

  private final Path root;
  /** Orders files created in the same millisecond; continues after the highest found on start. */
  private final AtomicLong sequence = new AtomicLong();
  /** By channel directory, the file new notifications go to until it is synced; guarded by this. */
  private final Map<Path, Batch> open = new HashMap<>();
  /** Every file holding notifications not done yet, by path; guarded by this. */
  private final Map<Path, Batch> files = new HashMap<>();

  Outbox(Path root) {
    this.root = root;
  }

  /** A notification and the file that holds it. */
  record Entry(Notification notification, Path file) {}

  /** A file of notifications: open for writes until synced, deleted when none is left waiting. */
  private static final class Batch {
    final Path file;
    /** Null once synced (or loaded): nothing more is written but done marks. */
    FileOutputStream out;
    int waiting;

    Batch(Path file, FileOutputStream out) {
      this.file = file;
      this.out = out;
    }
  }

  /** A new, unique, creation-ordered id: {@code <created at, ms>-<sequence>}. */
  String nextId(long nowMs) {
    return String.format(Locale.ROOT, "%013d-%09d", nowMs, sequence.incrementAndGet());
  }

  /** Adds {@code notification} to its channel's current file; {@link #sync} forces it to disk. */
  Entry write(Notification notification) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(notification);
    Path dir = directory(notification.channel());
    synchronized (this) {
      Batch batch = open.get(dir);
      if (batch == null) {
        Files.createDirectories(dir);
        Path file = dir.resolve(notification.id() + ".json");
        batch = new Batch(file, new FileOutputStream(file.toFile(), true));
        open.put(dir, batch);
        files.put(file, batch);
      }
      FileChannel channel = batch.out.getChannel();
      long size = channel.size();
      try {
        batch.out.write(bytes);
        batch.out.write(NEWLINE);
      } catch (IOException e) {
        // A full disk: leave no torn line behind, so that the file's other notifications still read.
        channel.truncate(size);
        throw e;
      }
      batch.waiting++;
      return new Entry(notification, batch.file);
    }
  }

  /**
   * Forces the file holding {@code entry} to disk, with every notification written to it so far,
   * and starts a new file for the next ones; nothing to do when that was done already.
   */
  void sync(Entry entry) throws IOException {
    Batch batch;
    synchronized (this) {
      batch = files.get(entry.file());
      if (batch == null || batch.out == null) {
        return;
      }
      open.remove(entry.file().getParent(), batch);
    }
    force(batch);
  }

  /** Forces every file written since its last sync to disk (before the state that caused them is saved). */
  void syncAll() throws IOException {
    List<Batch> unsynced;
    synchronized (this) {
      unsynced = new ArrayList<>(open.values());
      open.clear();
    }
    for (Batch batch : unsynced) {
      force(batch);
    }
  }

  /** Taken out of {@link #open} already, so nothing writes to it any more but done marks. */
  private static void force(Batch batch) throws IOException {
    synchronized (batch) {
      FileOutputStream out = batch.out;
      if (out == null) {
        return;
      }
      try {
        out.getFD().sync();
      } finally {
        batch.out = null;
        out.close();
      }
    }
  }

  /** The channel is done with {@code entry}: its file goes once none of its notifications waits. */
  void delete(Entry entry) {
    try {
      synchronized (this) {
        Batch batch = files.get(entry.file());
        if (batch == null) {
          Files.deleteIfExists(entry.file());
          return;
        }
        batch.waiting--;
        if (batch.waiting > 0) {
          byte[] done = ("{\"done\":\"" + entry.notification().id() + "\"}\n").getBytes(StandardCharsets.UTF_8);
          synchronized (batch) {
            if (batch.out != null) {
              batch.out.write(done);
            } else {
              Files.write(batch.file, done, StandardOpenOption.APPEND);
            }
          }
          return;
        }
        files.remove(batch.file);
        open.remove(batch.file.getParent(), batch);
        synchronized (batch) {
          if (batch.out != null) {
            batch.out.close();
            batch.out = null;
          }
        }
        Files.deleteIfExists(batch.file);
      }
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
    List<Path> paths = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.json")) {
        stream.forEach(paths::add);
      }
    }
    paths.sort(null);
    List<Entry> entries = new ArrayList<>();
    for (Path file : paths) {
      Batch written;
      synchronized (this) {
        written = files.remove(file);
        if (written != null) {
          open.remove(dir, written);
        }
      }
      if (written != null) {
        // Written by this process for a worker that is gone: read back whole, like any other.
        force(written);
      }
      List<Notification> waiting;
      try {
        waiting = read(file);
      } catch (IOException | RuntimeException e) {
        Path bad = Quarantine.moveAside(file, Clock.systemUTC());
        log.error("cannot read {} from the outbox, moved it to {}: {}", file, bad.getFileName(), Quarantine.reason(e));
        continue;
      }
      if (waiting.isEmpty()) {
        Files.deleteIfExists(file);
        continue;
      }
      Batch batch = new Batch(file, null);
      batch.waiting = waiting.size();
      synchronized (this) {
        files.put(file, batch);
      }
      for (Notification n : waiting) {
        entries.add(new Entry(n, file));
        sequence.accumulateAndGet(sequenceOf(n.id()), Math::max);
      }
    }
    entries.sort(Comparator.comparing(e -> e.notification().id()));
    return entries;
  }

  /**
   * The notifications of a file that are not marked done, in the order written. A last line that
   * does not parse after good ones is a write a crash cut short: a done mark (its notification is
   * sent again) or a notification of a file never synced, whose transition was not saved either
   * (the evaluation after the restart makes it again). It is left out with a warning rather than
   * setting aside the notifications before it.
   */
  private static List<Notification> read(Path file) throws IOException {
    Map<String, Notification> byId = new LinkedHashMap<>();
    List<String> done = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    lines.removeIf(String::isBlank);
    for (int i = 0; i < lines.size(); i++) {
      JsonNode node;
      try {
        node = JSON.readTree(lines.get(i));
      } catch (IOException e) {
        if (i == 0 || i < lines.size() - 1) {
          throw e;
        }
        log.warn("{}: ignoring its last line, a write that did not finish: {}", file, Quarantine.reason(e));
        break;
      }
      if (node.size() == 1 && node.has("done")) {
        done.add(node.get("done").asText());
      } else {
        Notification n = JSON.treeToValue(node, Notification.class);
        byId.put(n.id(), n);
      }
    }
    if (byId.isEmpty() && done.isEmpty()) {
      throw new IOException("no notification in it");
    }
    done.forEach(byId::remove);
    return new ArrayList<>(byId.values());
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
