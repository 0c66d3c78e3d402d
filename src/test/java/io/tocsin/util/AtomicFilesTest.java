package io.tocsin.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails leaves the old file and no temporary file; a crash's leftovers go at start. */
class AtomicFilesTest {
  @TempDir
  Path dir;

  private long temps() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".tmp")).count();
    }
  }

  @Test
  void write_replacesTheFile_andLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("state.json");
    AtomicFiles.write(file, "old".getBytes(StandardCharsets.UTF_8));
    AtomicFiles.write(file, "new".getBytes(StandardCharsets.UTF_8));

    assertThat(Files.readString(file)).isEqualTo("new");
    assertThat(temps()).isZero();
  }

  @Test
  void write_onAFullDisk_keepsTheOldContent_andRemovesItsTemporaryFile() throws Exception {
    Path file = dir.resolve("outbox/hook/0001.json");
    AtomicFiles.write(file, "old".getBytes(StandardCharsets.UTF_8));
    AtomicFiles.Sink fullDisk = (channel, bytes) -> {
      throw new IOException("No space left on device");
    };

    assertThatThrownBy(() -> AtomicFiles.write(file, "new".getBytes(StandardCharsets.UTF_8), fullDisk))
        .isInstanceOf(IOException.class).hasMessage("No space left on device");
    assertThat(Files.readString(file)).isEqualTo("old");
    assertThat(temps()).isZero();
  }

  @Test
  void write_whenTheRenameFails_removesItsTemporaryFile() throws Exception {
    // A non-empty directory where the file should go: the temporary file is written, the rename fails.
    Path file = dir.resolve("0002.json");
    Files.createDirectories(file);
    Files.writeString(file.resolve("occupied"), "x");

    assertThatThrownBy(() -> AtomicFiles.write(file, "new".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class);
    assertThat(temps()).isZero();
  }

  @Test
  void removeStaleTemps_deletesOnlyTemporaryFiles_inNestedDirectories() throws Exception {
    Path entry = dir.resolve("outbox/hook-1a2b/0000000000001-000000001.json");
    Files.createDirectories(entry.getParent());
    Files.writeString(entry, "{}");
    Path staleEntry = entry.resolveSibling("0000000000002-000000002.json.tmp");
    Files.createFile(staleEntry);
    Path staleState = dir.resolve("state.json.tmp");
    Files.writeString(staleState, "{\"half");

    assertThat(AtomicFiles.removeStaleTemps(dir)).containsExactlyInAnyOrder(staleEntry, staleState);
    assertThat(temps()).isZero();
    assertThat(entry).hasContent("{}");
  }

  @Test
  void removeStaleTemps_ofAMissingDirectory_removesNothing() throws Exception {
    assertThat(AtomicFiles.removeStaleTemps(dir.resolve("absent"))).isEmpty();
  }
}
