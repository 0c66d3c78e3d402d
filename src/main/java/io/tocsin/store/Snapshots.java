package io.tocsin.store;

import io.tocsin.util.Quarantine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of the store under {@code data_dir}: {@code snapshot-<ms>/} directories holding the
 * compressed chunks of every series as of a write-ahead log position.
 *
 * <p>A snapshot is written into {@code snapshot-<ms>.tmp/}, every file forced to disk, then
 * renamed and the data directory forced, so a crash leaves either a complete snapshot or a
 * {@code .tmp} one that loading sets aside. After a new snapshot is published only it and the
 * one before are kept: if the newest turns out unreadable at the next start, the previous one
 * is loaded instead. Snapshots that could not be loaded are renamed {@code ...bad} for a person to
 * look at, the newest two of them kept.
 */
public final class Snapshots {
  private static final Logger log = LoggerFactory.getLogger(Snapshots.class);
  private static final Pattern PUBLISHED = Pattern.compile("snapshot-(\\d+)");
  private static final Pattern UNFINISHED = Pattern.compile("snapshot-(\\d+)\\.tmp");
  private static final Pattern SET_ASIDE = Pattern.compile("snapshot-(\\d+)(\\.tmp)?\\..*\\.bad");
  private static final Pattern ANY = Pattern.compile("snapshot-(\\d+).*");
  private static final int KEPT = 2;

  private final Path dataDir;
  private final WriterStateCodec codec;
  private final Clock clock;

  /**
   * What {@link #write} wrote: the published directory, its size and how long it took.
   *
   * @param oldestKeptWalSegment the log position of the older snapshot kept (this one's when it is
   *     the only one): log segments before it are no longer needed, while those between it and
   *     {@code walSegment} still are, in case this snapshot turns out unreadable at the next start
   */
  public record Written(Path dir, long walSegment, long oldestKeptWalSegment, long series, long samples, long bytes,
      Duration took) {}

  /** What {@link #loadNewest} loaded, with the log position the caller replays from. */
  public record Loaded(Path dir, long walSegment, long series, long samples, long bytes, Duration took) {}

  public Snapshots(Path dataDir, WriterStateCodec codec, Clock clock) {
    this.dataDir = dataDir;
    this.codec = codec;
    this.clock = clock;
  }

  /**
   * Writes a snapshot of {@code store} recording {@code walSegment}, publishes it, and deletes
   * all but it and the previous one. Ingest goes on meanwhile; a series is consistent in itself,
   * as of the moment it was copied, which is after {@code walSegment} was started. One write at
   * a time per instance; a failed write (a full disk) leaves no files behind and the previous
   * snapshots in place.
   */
  public synchronized Written write(SeriesStore store, long walSegment) throws IOException {
    long started = System.nanoTime();
    Files.createDirectories(dataDir);
    long ms = Math.max(clock.millis(), published().stream().mapToLong(Snapshots::millisOf).max().orElse(0) + 1);
    Path temp = dataDir.resolve("snapshot-" + ms + ".tmp");
    Path target = dataDir.resolve("snapshot-" + ms);
    SnapshotMeta meta;
    try {
      deleteTree(temp);
      Files.createDirectory(temp);
      meta = new SnapshotWriter(codec).write(store, temp, walSegment, ms);
      force(temp);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target);
      }
      force(dataDir);
    } catch (IOException | RuntimeException e) {
      try {
        deleteTree(temp);
      } catch (IOException | RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    List<Path> all = published();
    for (Path old : all.subList(Math.min(KEPT, all.size()), all.size())) {
      deleteTree(old);
    }
    long oldestKept = walSegment;
    for (Path kept : all.subList(0, Math.min(KEPT, all.size()))) {
      oldestKept = Math.min(oldestKept, walSegmentOf(kept, walSegment));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    long bytes = meta.seriesFileBytes() + Files.size(target.resolve(SnapshotMeta.FILE));
    log.info("wrote snapshot {}: {} series, {} samples, {} bytes in {} ms", target, meta.series(), meta.samples(),
        bytes, took.toMillis());
    return new Written(target, walSegment, oldestKept, meta.series(), meta.samples(), bytes, took);
  }

  /** The log position {@code snapshot} records, or {@code fallback} when it is unreadable (and useless). */
  private static long walSegmentOf(Path snapshot, long fallback) {
    try {
      return SnapshotMeta.decode(Files.readAllBytes(snapshot.resolve(SnapshotMeta.FILE))).walSegment();
    } catch (IOException e) {
      return fallback;
    }
  }

  /**
   * Loads the newest snapshot that verifies into {@code store}, which must be new. Unfinished
   * snapshots ({@code .tmp}, a crash before the rename) and ones that do not verify are moved
   * aside with a WARN, and the next older one is tried; empty when none is left.
   *
   * @throws IOException when {@code data_dir} cannot be listed
   */
  public Optional<Loaded> loadNewest(SeriesStore store) throws IOException {
    if (!store.isPristine()) {
      throw new IllegalStateException("a snapshot loads only into a new store");
    }
    if (!Files.isDirectory(dataDir)) {
      return Optional.empty();
    }
    for (Path unfinished : list(UNFINISHED)) {
      setAside(unfinished, "was never completed (no final rename: the process stopped while writing it)");
    }
    for (Path dir : published()) {
      long started = System.nanoTime();
      try {
        SnapshotReader.Result result = new SnapshotReader(store, codec, loadThreads()).read(dir);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        long bytes = result.meta().seriesFileBytes() + Files.size(dir.resolve(SnapshotMeta.FILE));
        log.info("loaded snapshot {}: {} series, {} samples in {} ms; the write-ahead log continues at segment {}",
            dir, result.series(), result.samples(), took.toMillis(), result.meta().walSegment());
        pruneSetAside();
        return Optional.of(new Loaded(dir, result.meta().walSegment(), result.series(), result.samples(), bytes,
            took));
      } catch (IOException | RuntimeException e) {
        store.discardRestored();
        setAside(dir, "cannot be loaded: " + Quarantine.reason(e));
      }
    }
    pruneSetAside();
    return Optional.empty();
  }

  private static int loadThreads() {
    return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }

  private void setAside(Path dir, String why) {
    try {
      Path bad = Quarantine.moveAside(dir, clock);
      log.warn("snapshot {} {}; moved it to {} and going on with the previous snapshot, if any", dir, why, bad);
    } catch (IOException e) {
      log.warn("snapshot {} {}, and it cannot be moved aside ({}); going on with the previous snapshot, if any", dir,
          why, e.toString());
    }
  }

  /** Keeps the newest set-aside snapshots only: each may be as large as the store. */
  private void pruneSetAside() {
    try {
      List<Path> bad = list(SET_ASIDE);
      for (Path old : bad.subList(Math.min(KEPT, bad.size()), bad.size())) {
        deleteTree(old);
        log.info("deleted {}, an older snapshot set aside", old);
      }
    } catch (IOException e) {
      log.warn("cannot delete older set-aside snapshots in {}: {}", dataDir, e.toString());
    }
  }

  /** Published snapshots, newest first. */
  private List<Path> published() throws IOException {
    return list(PUBLISHED);
  }

  /** Entries of the data directory whose name matches {@code pattern}, newest (by name) first. */
  private List<Path> list(Pattern pattern) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dataDir)) {
      entries.filter(p -> pattern.matcher(p.getFileName().toString()).matches()).forEach(found::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    found.sort(Comparator.comparingLong(Snapshots::millisOf).thenComparing(Path::getFileName).reversed());
    return found;
  }

  private static long millisOf(Path snapshot) {
    Matcher m = ANY.matcher(snapshot.getFileName().toString());
    if (!m.matches()) {
      return -1;
    }
    try {
      return Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Forces a directory's entries to disk, so that a rename or a new file survives a crash. */
  private static void force(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
