package io.tocsin.notify.silence;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The silences in {@code <data_dir>/silences.json}, in Alertmanager's v2 shape (camelCase keys,
 * times as RFC 3339 strings) so that an operator can read it. The REST API once used that shape
 * too and now shows snake_case keys and Unix milliseconds; the file keeps its format so that
 * files written before stay readable without a migration. Each save replaces the file
 * atomically.
 */
final class SilenceFile {
  static final String NAME = "silences.json";
  private static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
      .configure(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES, true);

  record SavedMatcher(String name, String value, @JsonProperty("isRegex") boolean isRegex,
      @JsonProperty("isEqual") boolean isEqual) {}

  record SavedSilence(String id, List<SavedMatcher> matchers, String startsAt, String endsAt, String createdBy,
      String comment, String updatedAt) {

    static SavedSilence of(Silence s) {
      List<SavedMatcher> matchers = new ArrayList<>();
      for (Matcher m : s.matchers()) {
        matchers.add(new SavedMatcher(m.name(), m.value(), m.isRegex(), m.isEqual()));
      }
      return new SavedSilence(s.id(), matchers, s.startsAt().toString(), s.endsAt().toString(), s.createdBy(),
          s.comment(), s.updatedAt().toString());
    }

    /** Checked like a silence from the API: a hand-edited file can hold anything. */
    Silence toSilence() {
      List<Matcher> list = new ArrayList<>();
      for (SavedMatcher m : matchers) {
        list.add(Matcher.of(m.name(), Matcher.Operator.of(m.isRegex(), m.isEqual()), m.value()));
      }
      return new Silence(id, list, Instant.parse(startsAt), Instant.parse(endsAt), createdBy, comment,
          Instant.parse(updatedAt));
    }
  }

  record Saved(int version, List<SavedSilence> silences) {}

  private final Path file;

  SilenceFile(Path dataDir) {
    this.file = dataDir.resolve(NAME);
  }

  Path path() {
    return file;
  }

  void save(Collection<Silence> silences) throws IOException {
    List<SavedSilence> saved = silences.stream().map(SavedSilence::of).toList();
    AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Saved(VERSION, saved)));
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
    Saved saved = JSON.readValue(file.toFile(), Saved.class);
    if (saved == null || saved.silences() == null) {
      throw new IOException("no \"silences\" list");
    }
    if (saved.version() != VERSION) {
      throw new IOException("format version " + saved.version() + ", expected " + VERSION);
    }
    List<Silence> silences = new ArrayList<>();
    for (SavedSilence s : saved.silences()) {
      silences.add(s.toSilence());
    }
    return silences;
  }
}
