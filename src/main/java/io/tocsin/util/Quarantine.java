package io.tocsin.util;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;

/**
 * Sets aside a data file that cannot be read ({@code state.json}, {@code silences.json}, an
 * outbox entry): one broken file must never stop Tocsin, and it stays beside the original for a
 * person to look at. The new name carries the time, so that a file broken again later does not
 * overwrite the first one.
 */
public final class Quarantine {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private Quarantine() {}

  /**
   * Sets {@code file} aside after {@code cause} kept it from being read, and logs an ERROR with
   * what it held, why it could not be read, where it went and what happens now ({@code
   * fallback}, such as "starting with no silences").
   */
  public static void setAside(Path file, String what, Exception cause, String fallback, Clock clock, Logger log) {
    String reason = reason(cause);
    try {
      Path bad = moveAside(file, clock);
      log.error("cannot read {} from {} ({}); moved it to {} and {}", what, file, reason, bad, fallback);
    } catch (IOException moveError) {
      log.error("cannot read {} from {} ({}) nor move it aside ({}); {}, and the next save overwrites it", what, file,
          reason, moveError.toString(), fallback);
    }
  }

  /**
   * Moves {@code file} to {@code <name>.<UTC time>.bad} in the same directory ({@code .2.bad},
   * {@code .3.bad}... when that name is taken) and returns where it went.
   */
  public static Path moveAside(Path file, Clock clock) throws IOException {
    String stem = file.getFileName() + "." + STAMP.format(clock.instant());
    for (int n = 1; ; n++) {
      Path bad = file.resolveSibling(stem + (n == 1 ? "" : "." + n) + ".bad");
      try {
        return Files.move(file, bad);
      } catch (FileAlreadyExistsException taken) {
        // Two files broken within a second; try the next name.
      }
    }
  }

  /** Why a file could not be read, on one line, without Jackson's description of its input. */
  public static String reason(Exception e) {
    if (e instanceof JsonProcessingException json) {
      JsonLocation at = json.getLocation();
      return json.getOriginalMessage()
          .replaceAll("\\[Source: [^;]*; line: (\\d+), column: (\\d+)]", "line $1, column $2")
          .replaceAll("\\s+", " ")
          + (at == null ? "" : " at line " + at.getLineNr() + ", column " + Math.max(1, at.getColumnNr()));
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
