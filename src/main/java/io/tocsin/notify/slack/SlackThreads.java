package io.tocsin.notify.slack;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tocsin.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which Slack message each firing alert was announced in, by the alert's fingerprint, so that its
 * resolution can be posted as a reply in that thread, also after a restart ({@code threads.json}
 * in the channel's state directory). Entries older than {@link #KEEP} are dropped: an alert whose
 * resolution never came (its monitor was deleted, say) must not be remembered forever.
 */
final class SlackThreads {
  static final Duration KEEP = Duration.ofDays(7);
  static final String FILE = "threads.json";

  private static final Logger log = LoggerFactory.getLogger(SlackThreads.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /**
   * The message an alert's thread hangs from.
   *
   * @param channel the channel setting it was posted with: a thread is only continued in the same
   *     channel, so a changed {@code channel:} starts afresh
   * @param ts Slack's id of the message
   * @param at when it was posted (or last repeated), Unix milliseconds
   */
  record Parent(String channel, String ts, long at) {}

  /** The file's layout. */
  record State(Map<String, Parent> threads) {}

  private final Path file;
  private final Map<String, Parent> threads = new TreeMap<>();

  private SlackThreads(Path file) {
    this.file = file;
  }

  /** The threads saved in {@code dir}; none when there is no file or it cannot be read. */
  static SlackThreads load(Path dir, long nowMs) {
    SlackThreads result = new SlackThreads(dir == null ? null : dir.resolve(FILE));
    if (result.file != null && Files.exists(result.file)) {
      try {
        State state = JSON.readValue(result.file.toFile(), State.class);
        if (state.threads() != null) {
          result.threads.putAll(state.threads());
        }
      } catch (IOException e) {
        log.warn("cannot read {}: {}; resolutions of earlier alerts go out as new messages", result.file, e.toString());
      }
    }
    result.prune(nowMs);
    return result;
  }

  /** The thread of an alert in {@code channel}, or null. */
  Parent find(String fingerprint, String channel) {
    Parent thread = threads.get(fingerprint);
    return thread != null && thread.channel().equals(channel) ? thread : null;
  }

  void remember(String fingerprint, String channel, String ts, long nowMs) {
    threads.put(fingerprint, new Parent(channel, ts, nowMs));
  }

  /**
   * A repeat keeps the first message as the thread (the history of the alert is there) and
   * renews its age, since the alert is still live; without one, the repeat starts the thread.
   */
  void renew(String fingerprint, String channel, String ts, long nowMs) {
    Parent known = find(fingerprint, channel);
    threads.put(fingerprint, new Parent(channel, known == null ? ts : known.ts(), nowMs));
  }

  void forget(String fingerprint) {
    threads.remove(fingerprint);
  }

  int size() {
    return threads.size();
  }

  /**
   * Writes the file. A failure is only logged: the message is posted either way, and posting it
   * again to save the thread would be worse than a resolution outside its thread.
   */
  void save(long nowMs) {
    prune(nowMs);
    if (file == null) {
      return;
    }
    try {
      AtomicFiles.write(file, JSON.writeValueAsBytes(new State(threads)));
    } catch (IOException e) {
      log.warn("cannot write {}: {}", file, e.toString());
    }
  }

  private void prune(long nowMs) {
    threads.values().removeIf(t -> nowMs - t.at() > KEEP.toMillis());
  }
}
