package io.tocsin.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A 2 MiB tmpfs to fill up, for tests of a full disk. Mounting needs root (or CAP_SYS_ADMIN);
 * where it is not permitted the test is skipped, and the reason printed.
 */
public final class SmallDisk implements AutoCloseable {
  private final Path mount;

  private SmallDisk(Path mount) {
    this.mount = mount;
  }

  /** Mounts a tmpfs on {@code dir}, or skips the calling test. */
  public static SmallDisk mount(Path dir, String test) throws Exception {
    Path mount = Files.createDirectories(dir);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    boolean mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    if (!mounted) {
      System.out.println(test + " skipped: cannot mount a tmpfs here: " + output);
    }
    assumeTrue(mounted, "cannot mount a tmpfs here: " + output);
    return new SmallDisk(mount);
  }

  public Path path() {
    return mount;
  }

  /** Writes a file until the disk is full; returns it (delete it to free the space). */
  public Path fill() throws IOException {
    Path filler = mount.resolve("filler");
    byte[] chunk = new byte[16 << 10];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      assertThat(full.getMessage()).contains("No space left on device");
    }
    return filler;
  }

  @Override
  public void close() throws Exception {
    new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
  }
}
