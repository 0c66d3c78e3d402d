package io.tocsin.notify.silence;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Silences as JSON in Alertmanager's v2 shape (camelCase keys, times as RFC 3339 strings):
 * {@code {"version": 1, "silences": [...]}}. The file in the data dir and the messages between the
 * members of a cluster use this one shape, so that what a peer sends reads like the file.
 */
public final class SilenceJson {
  private static final int VERSION = 1;
  static final ObjectMapper JSON = new ObjectMapper()
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

    /** Checked like a silence from the API: a hand-edited file or a peer can send anything. */
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

  private SilenceJson() {}

  /** Compact JSON: the same bytes for equal silences in the same order. */
  public static byte[] encode(Collection<Silence> silences) {
    try {
      return JSON.writeValueAsBytes(saved(silences));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode silences", e); // records of strings always encode
    }
  }

  static byte[] pretty(Collection<Silence> silences) throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(saved(silences));
  }

  private static Saved saved(Collection<Silence> silences) {
    return new Saved(VERSION, silences.stream().map(SavedSilence::of).toList());
  }

  /**
   * The silences in {@code json}.
   *
   * @throws IOException or a {@link RuntimeException} (with a message for the log) when it is not
   *     JSON of this version or holds a silence that is not valid
   */
  public static List<Silence> decode(byte[] json) throws IOException {
    return silences(JSON.readValue(json, Saved.class));
  }

  static List<Silence> silences(Saved saved) throws IOException {
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
