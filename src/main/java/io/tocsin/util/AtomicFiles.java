package io.tocsin.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a file so that a crash at any moment leaves either the old content or the new one,
 * never a torn file: the bytes go to a temporary file ({@code <name>.tmp}) that is forced to disk
 * and renamed over the target. A write that fails (a full disk) removes its temporary file; one
 * left by a crash is removed by {@link #removeStaleTemps} at the next start.
 */
public final class AtomicFiles {
  private static final Logger log = LoggerFactory.getLogger(AtomicFiles.class);
  static final String TEMP_SUFFIX = ".tmp";
  /** {@code <data_dir>/outbox/<channel>/<id>.json} is the deepest file written here. */
  private static final int MAX_DEPTH = 4;

  /** How the bytes reach the temporary file; a seam for tests that simulate a full disk. */
  interface Sink {
    void write(FileChannel channel, ByteBuffer bytes) throws IOException;
  }

  private static final Sink CHANNEL = (channel, bytes) -> {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  };

  private AtomicFiles() {}

  public static void write(Path file, byte[] bytes) throws IOException {
    write(file, bytes, CHANNEL);
  }

  static void write(Path file, byte[] bytes, Sink sink) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path temp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        sink.write(channel, ByteBuffer.wrap(bytes));
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException | Error e) {
      // The target keeps its old content; a half-written temporary file is only clutter.
      try {
        Files.deleteIfExists(temp);
      } catch (IOException | RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * Deletes the temporary files that writes interrupted by a crash left under {@code dir} (a few
   * levels deep), logging each; returns them. Call at start, before anything writes there.
   */
  public static List<Path> removeStaleTemps(Path dir) throws IOException {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return removed;
    }
    List<Path> temps;
    try (Stream<Path> files = Files.walk(dir, MAX_DEPTH)) {
      temps = files.filter(f -> f.getFileName().toString().endsWith(TEMP_SUFFIX) && Files.isRegularFile(f)).toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (Path temp : temps) {
      try {
        long size = Files.size(temp);
        Files.deleteIfExists(temp);
        removed.add(temp);
        log.warn("removed {} ({} bytes), left by a write that did not finish (crash or full disk)", temp, size);
      } catch (IOException e) {
        log.error("cannot remove the unfinished write {}: {}", temp, e.toString());
      }
    }
    return removed;
  }
}
