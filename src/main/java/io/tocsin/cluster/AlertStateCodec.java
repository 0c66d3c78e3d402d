package io.tocsin.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.tocsin.rules.AlertState;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.LevelRuns;
import io.tocsin.store.Labels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Monitors' alert states on the wire and in the join transfer: JSON, the groups written as in
 * {@code state.json}. A message a peer of another version wrote, or a broken one, is refused as a
 * whole with an {@link IOException} and changes nothing.
 */
final class AlertStateCodec {
  private static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private AlertStateCodec() {}

  record Message(int version, List<Monitor> monitors) {}

  record Monitor(String id, String key, long lastBucketEnd, List<Group> groups) {}

  /** {@code level}, {@code runs} and {@code held}: a monitor's severity levels ({@link LevelRuns}), absent without. */
  record Group(Map<String, String> labels, String state, int streak, long activeAt, long firedAt, long resolvedAt,
      long lastBreachEnd, long lastValueEnd, double value, long lastNotified, @JsonInclude(Include.NON_NULL) String level,
      @JsonInclude(Include.NON_NULL) Map<String, Integer> runs, @JsonInclude(Include.NON_NULL) List<String> held) {}

  static byte[] encode(List<AlertState> states) {
    List<Monitor> monitors = new ArrayList<>();
    for (AlertState s : states) {
      List<Group> groups = s.groups().stream().map(g -> new Group(g.labels().asMap(), g.state().id(), g.streak(),
          g.activeAt(), g.firedAt(), g.resolvedAt(), g.lastBreachEnd(), g.lastValueEnd(), g.value(),
          g.lastNotified(), g.levels().levelName(), g.levels().runsByName(), g.levels().heldNames())).toList();
      monitors.add(new Monitor(s.monitorId(), s.stateKey(), s.lastBucketEnd(), groups));
    }
    try {
      return JSON.writeValueAsBytes(new Message(VERSION, monitors));
    } catch (IOException e) {
      throw new UncheckedIOException("encoding alert states", e);
    }
  }

  static List<AlertState> decode(byte[] bytes) throws IOException {
    Message message = JSON.readValue(bytes, Message.class);
    if (message == null || message.version() != VERSION || message.monitors() == null) {
      throw new IOException("not an alert state message of version " + VERSION);
    }
    List<AlertState> states = new ArrayList<>();
    for (Monitor m : message.monitors()) {
      if (m == null || m.id() == null || m.key() == null || m.groups() == null) {
        throw new IOException("a monitor without \"id\", \"key\" or \"groups\"");
      }
      List<GroupState> groups = new ArrayList<>();
      for (Group g : m.groups()) {
        groups.add(group(m.id(), g));
      }
      states.add(new AlertState(m.id(), m.key(), m.lastBucketEnd(), groups));
    }
    return states;
  }

  private static GroupState group(String monitor, Group g) throws IOException {
    if (g == null || g.labels() == null || g.labels().containsKey(null) || g.labels().containsValue(null)
        || !(GroupState.State.PENDING.id().equals(g.state()) || GroupState.State.FIRING.id().equals(g.state()))) {
      throw new IOException("monitor \"" + monitor + "\" has a group without labels or neither pending nor firing");
    }
    return new GroupState(Labels.of(g.labels()), GroupState.State.valueOf(g.state().toUpperCase(Locale.ROOT)),
        g.streak(), g.activeAt(), g.firedAt(), g.resolvedAt(), g.lastBreachEnd(), g.lastValueEnd(), g.value(),
        g.lastNotified(), LevelRuns.of(g.level(), g.runs(), g.held()));
  }
}
