package io.tocsin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary directory that is deleted with everything in it on {@link #close()}, for tests and
 * benchmarks that cannot take JUnit's {@code @TempDir} (jqwik properties, static set-up shared by a
 * class, benchmarks' {@code main}). Without it each run left its data directory in {@code /tmp}: a
 * write-ahead log and snapshots of up to a few hundred MB for the side-by-side benchmark.
 */
public final class ScratchDir implements AutoCloseable {
  private final Path path;

  private ScratchDir(Path path) {
    this.path = path;
  }

  /** A new, empty directory under the system's temporary directory, its name starting with {@code prefix}. */
  public static ScratchDir create(String prefix) {
    try {
      return new ScratchDir(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new, empty directory under {@code parent}, its name starting with {@code prefix}. */
  public static ScratchDir create(Path parent, String prefix) {
    try {
      return new ScratchDir(Files.createTempDirectory(parent, prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path path() {
    return path;
  }

  public Path resolve(String other) {
    return path.resolve(other);
  }

  /** Deletes the directory and everything in it; a directory already gone is no error. */
  @Override
  public void close() {
    delete(path);
  }

  /** Deletes {@code root} and everything under it, deepest first; nothing there is no error. */
  public static void delete(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
