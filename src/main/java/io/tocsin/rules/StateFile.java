package io.tocsin.rules;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.tocsin.history.AlertHistory;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import io.tocsin.util.AtomicFiles;
import io.tocsin.util.Quarantine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monitor states and alert history in {@code <data_dir>/state.json}: a base, then a journal of
 * changes, one JSON document a line. The base (the first line) is the whole state, in the form
 * a whole {@code state.json} had before the journal, so an older file is a base without a journal.
 * It is replaced atomically ({@link AtomicFiles}) at the first save after a start and whenever the
 * journal grew larger than the base (compaction). Between, each save appends one line with what
 * changed: the monitors whose saved form changed (their own fields and only their changed
 * groups, see {@link SavedForm}), the monitors removed, and the new history entries.
 *
 * <p>A crash leaves the previous base or the new one, and a journal whose last line may be torn:
 * reading stops at a line that cannot be parsed, keeping everything before it. A base or a line
 * that parses but is not a state this version wrote makes the whole file unreadable (the caller
 * sets it aside with {@link Quarantine}).
 */
final class StateFile {
  private static final Logger log = LoggerFactory.getLogger(StateFile.class);
  static final String NAME = "state.json";
  private static final int VERSION = 1;
  /** The journal is compacted once it is larger than the base and than this. */
  static final long MIN_JOURNAL_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final Set<String> STATES =
      Arrays.stream(State.values()).map(State::id).collect(Collectors.toUnmodifiableSet());

  private final Path file;
  private final long minJournalBytes;
  private long baseBytes;
  private long journalBytes;

  StateFile(Path dataDir) {
    this(dataDir, MIN_JOURNAL_BYTES);
  }

  StateFile(Path dataDir, long minJournalBytes) {
    this.file = dataDir.resolve(NAME);
    this.minJournalBytes = minJournalBytes;
  }

  Path path() {
    return file;
  }

  /** What is saved of one monitor; {@code key} is {@link MonitorDefinition#stateKey()}. */
  record SavedMonitor(String key, String name, long lastBucketEnd, boolean paused, List<SavedGroup> groups) {}

  /**
   * One group as saved ({@link SavedForm}).
   *
   * @param lastBreachAtEnd whether {@code lastBreachEnd} is the monitor's {@code lastBucketEnd},
   *     whatever that is when read: a group breaching on in every bucket is not saved again (its
   *     streak has grown by the buckets since {@code lastBreachEnd} as written)
   * @param lastValueAtEnd the same for {@code lastValueEnd}
   * @param level with levels, the level it fires at ({@link LevelRuns}); absent without levels,
   *     as are {@code runs} (by level name) and {@code held}, so a file without levels is as before
   */
  record SavedGroup(Map<String, String> labels, String state, int streak, long activeAt, long firedAt,
      long resolvedAt, long lastBreachEnd, long lastValueEnd, double value, long lastNotified,
      boolean lastBreachAtEnd, boolean lastValueAtEnd, @JsonInclude(Include.NON_NULL) String level,
      @JsonInclude(Include.NON_NULL) Map<String, Integer> runs, @JsonInclude(Include.NON_NULL) List<String> held) {

    /** {@code g} of a monitor whose last evaluated bucket ends at {@code monitorEnd}. */
    static SavedGroup of(GroupState g, long monitorEnd) {
      LevelRuns r = g.levels();
      return new SavedGroup(g.labels().asMap(), g.state().id(), g.streak(), g.activeAt(), g.firedAt(), g.resolvedAt(),
          g.lastBreachEnd(), g.lastValueEnd(), g.value(), g.lastNotified(), g.lastBreachEnd() == monitorEnd,
          g.lastValueEnd() == monitorEnd, r.levelName(), r.runsByName(), r.heldNames());
    }

    /**
     * The group's state when its monitor's last evaluated bucket ends at {@code monitorEnd}: the
     * times saved as that end are that end, and the streak has grown by one for each breaching
     * bucket since it was saved.
     */
    GroupState toState(long monitorEnd, long intervalMs) {
      State s = State.valueOf(state.toUpperCase(Locale.ROOT));
      long breachEnd = lastBreachAtEnd ? monitorEnd : lastBreachEnd;
      int breachingSince = s == State.OK ? 0 : (int) ((breachEnd - lastBreachEnd) / intervalMs);
      return new GroupState(Labels.of(labels), s, streak + breachingSince, activeAt, firedAt, resolvedAt, breachEnd,
          lastValueAtEnd ? monitorEnd : lastValueEnd, value, lastNotified, LevelRuns.of(level, runs, held));
    }
  }

  /**
   * The base, and the whole state as read. {@code savedAt} is when the process that wrote it was
   * last known alive: it saves at every change of state and on a graceful stop, so the next start
   * takes the time from there to its own start as downtime ({@link Downtime}).
   */
  record Saved(int version, long savedAt, List<SavedMonitor> monitors, List<AlertHistory.Entry> history) {}

  /**
   * What changed of one monitor: its own fields, and its groups changed or new ({@code groups})
   * and no longer saved ({@code removed}, by labels); with {@code replace}, {@code groups} are all
   * its groups.
   */
  record MonitorChange(String key, String name, long lastBucketEnd, boolean paused, boolean replace,
      List<SavedGroup> groups, List<Map<String, String>> removed) {}

  /**
   * One line of the journal: the monitors that changed, the keys of those removed, and the
   * history entries added since the previous line, newest first.
   */
  record Appended(long savedAt, List<MonitorChange> monitors, List<String> gone, List<AlertHistory.Entry> history) {}

  /** Replaces the file with a base holding the whole state, and no journal. */
  void compact(List<SavedMonitor> monitors, List<AlertHistory.Entry> history, long nowMs) throws IOException {
    byte[] bytes = line(new Saved(VERSION, nowMs, monitors, history));
    AtomicFiles.write(file, bytes);
    baseBytes = bytes.length;
    journalBytes = 0;
  }

  /**
   * Appends {@code changes} to the journal, on disk when this returns; true when the journal has
   * grown enough that the next save should {@link #compact}.
   */
  boolean append(Appended changes) throws IOException {
    byte[] bytes = line(changes);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    }
    journalBytes += bytes.length;
    return journalBytes > Math.max(baseBytes, minJournalBytes);
  }

  private static byte[] line(Object document) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JSON.writeValue(out, document);
    out.write('\n');
    return out.toByteArray();
  }

  /**
   * The saved state, the base with the journal applied, or null when there is none yet.
   *
   * @throws IOException when the file cannot be read, its base cannot be parsed, or the base or a
   *     line is not a state this version wrote, down to every group's state, so that nothing
   *     fails later on what was read here
   */
  Saved load() throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    byte[] bytes = Files.readAllBytes(file);
    Saved base;
    int at;
    try (JsonParser parser = JSON.createParser(bytes)) {
      base = check(JSON.readValue(parser, Saved.class));
      at = (int) parser.getCurrentLocation().getByteOffset();
    }
    Replay state = new Replay(base);
    int lines = 0;
    while (true) {
      while (at < bytes.length && Character.isWhitespace(bytes[at])) {
        at++;
      }
      if (at >= bytes.length) {
        break;
      }
      int end = indexOf(bytes, '\n', at);
      Appended changes = end < 0 ? null : parse(bytes, at, end);
      if (changes == null) {
        // A crash while appending: what follows the last whole line is lost, as if never saved.
        log.warn("{}: ignoring the last {} bytes of the journal (after {} changes), a write that did not finish",
            file, bytes.length - at, lines);
        break;
      }
      state.apply(check(changes));
      lines++;
      at = end + 1;
    }
    baseBytes = bytes.length;
    journalBytes = 0;
    return state.saved();
  }

  private static Appended parse(byte[] bytes, int from, int to) {
    try {
      return JSON.readValue(bytes, from, to - from, Appended.class);
    } catch (IOException e) {
      return null;
    }
  }

  private static int indexOf(byte[] bytes, char c, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == c) {
        return i;
      }
    }
    return -1;
  }

  /** The state as the base and the journal lines applied so far say. */
  private static final class Replay {
    private final Map<String, SavedMonitor> monitors = new LinkedHashMap<>();
    private final Map<String, Map<Map<String, String>, SavedGroup>> groups = new LinkedHashMap<>();
    private final Deque<AlertHistory.Entry> history = new ArrayDeque<>();
    private long savedAt;

    Replay(Saved base) {
      base.monitors().forEach(m -> put(m, m.groups(), true));
      history.addAll(base.history());
      savedAt = base.savedAt();
    }

    private void put(SavedMonitor m, List<SavedGroup> changed, boolean replace) {
      monitors.put(m.key(), m);
      Map<Map<String, String>, SavedGroup> byLabels = replace ? null : groups.get(m.key());
      if (byLabels == null) {
        byLabels = new LinkedHashMap<>();
        groups.put(m.key(), byLabels);
      }
      for (SavedGroup g : changed) {
        byLabels.put(g.labels(), g);
      }
    }

    void apply(Appended changes) {
      // Removed first: a monitor both removed and changed was added again by a later reload.
      for (String key : changes.gone()) {
        monitors.remove(key);
        groups.remove(key);
      }
      for (MonitorChange c : changes.monitors()) {
        put(new SavedMonitor(c.key(), c.name(), c.lastBucketEnd(), c.paused(), List.of()), c.groups(), c.replace());
        c.removed().forEach(groups.get(c.key())::remove);
      }
      List<AlertHistory.Entry> newestFirst = changes.history();
      for (int i = newestFirst.size() - 1; i >= 0; i--) {
        history.addFirst(newestFirst.get(i));
      }
      while (history.size() > AlertHistory.CAPACITY) {
        history.removeLast();
      }
      savedAt = changes.savedAt();
    }

    Saved saved() {
      List<SavedMonitor> all = new ArrayList<>();
      for (SavedMonitor m : monitors.values()) {
        all.add(new SavedMonitor(m.key(), m.name(), m.lastBucketEnd(), m.paused(),
            List.copyOf(groups.get(m.key()).values())));
      }
      return new Saved(VERSION, savedAt, all, new ArrayList<>(history));
    }
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
      checkGroups(m.name(), m.groups());
    }
    checkHistory(saved.history());
    return saved;
  }

  private static Appended check(Appended changes) throws IOException {
    if (changes.monitors() == null || changes.gone() == null || changes.history() == null
        || changes.gone().contains(null)) {
      throw new IOException("a journal line without \"monitors\", \"gone\" or \"history\" list");
    }
    for (MonitorChange c : changes.monitors()) {
      if (c == null || c.key() == null || c.groups() == null || c.removed() == null) {
        throw new IOException("a monitor change without \"key\", \"groups\" or \"removed\"");
      }
      checkGroups(c.name(), c.groups());
      for (Map<String, String> labels : c.removed()) {
        if (labels == null || labels.containsValue(null)) {
          throw new IOException("monitor \"" + c.name() + "\" has a removed group without labels");
        }
      }
    }
    checkHistory(changes.history());
    return changes;
  }

  private static void checkGroups(String monitor, List<SavedGroup> groups) throws IOException {
    for (SavedGroup g : groups) {
      if (g == null || g.labels() == null || g.labels().containsValue(null) || g.state() == null
          || !STATES.contains(g.state())) {
        throw new IOException("monitor \"" + monitor + "\" has a group without labels or with an unknown state");
      }
    }
  }

  private static void checkHistory(List<AlertHistory.Entry> history) throws IOException {
    for (AlertHistory.Entry e : history) {
      if (e == null || e.type() == null || e.labels() == null || e.labels().containsValue(null)) {
        throw new IOException("a history entry without \"type\" or \"labels\"");
      }
    }
  }
}
