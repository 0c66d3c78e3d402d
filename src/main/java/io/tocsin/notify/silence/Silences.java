package io.tocsin.notify.silence;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** PLACEHOLDER: being written; replaced in full by the silences implementation. */
public final class Silences {

  public Silences(Path dataDir, Clock clock) {}

  /** The id of the silence that covers an alert with these labels at {@code atMs}, if any. */
  public Optional<String> silencing(Map<String, String> labels, long atMs) {
    return Optional.empty();
  }
}
