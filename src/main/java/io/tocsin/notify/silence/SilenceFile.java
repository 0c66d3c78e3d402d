package io.tocsin.notify.silence;

import io.tocsin.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * The silences in {@code <data_dir>/silences.json}, in the shape of {@link SilenceJson} so that an
 * operator can read it. The REST API once used that shape too and now shows snake_case keys and
 * Unix milliseconds; the file keeps its format so that files written before stay readable without
 * a migration. Each save replaces the file atomically.
 */
final class SilenceFile {
  static final String NAME = "silences.json";

  private final Path file;

  SilenceFile(Path dataDir) {
    this.file = dataDir.resolve(NAME);
  }

  Path path() {
    return file;
  }

  void save(Collection<Silence> silences) throws IOException {
    AtomicFiles.write(file, SilenceJson.pretty(silences));
  }

  /**
   * The saved silences; empty when there is no file yet.
   *
   * @throws IOException or a {@link RuntimeException} when the file cannot be read or used
   */
  List<Silence> load() throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return SilenceJson.silences(SilenceJson.JSON.readValue(file.toFile(), SilenceJson.Saved.class));
  }
}
