package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.rules.AlertEvent.Type;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wording every channel shares, for alerts of a monitor with levels; without levels it is as before. */
class LevelMessagesTest {
  private static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  private static final long MIN = 60_000;

  private static Alert alert(Type type, String severity) {
    return new Alert(type, Map.of("node", "n1"), Map.of(), 0.7, 1, T0, T0 + MIN, 0, T0 + 3 * MIN, "hit-rate-n1", "",
        severity);
  }

  private static Notification of(Alert alert) {
    return new Notification("1", "chat", "hit-rate", "Hit rate", Map.of("team", "db"), "", "", List.of(alert), T0,
        false);
  }

  @Test
  void state_andTitle_nameTheLevel() {
    assertThat(List.of(Type.FIRING, Type.REPEAT, Type.ESCALATED, Type.DEESCALATED).stream()
        .map(t -> Messages.state(of(alert(t, t == Type.DEESCALATED ? "warning" : "critical")),
            alert(t, t == Type.DEESCALATED ? "warning" : "critical"))).toList())
        .containsExactly("FIRING (critical)", "STILL FIRING (critical)", "ESCALATED to critical",
            "DE-ESCALATED to warning");
    assertThat(Messages.title(of(alert(Type.ESCALATED, "critical"))))
        .isEqualTo("[ESCALATED] Hit rate {node=\"n1\", severity=\"critical\"}");
    assertThat(Messages.title(of(alert(Type.DEESCALATED, "warning"))))
        .isEqualTo("[DE-ESCALATED] Hit rate {node=\"n1\", severity=\"warning\"}");
  }

  @Test
  void withoutLevels_stateAndTitle_areAsBefore() {
    Alert plain = new Alert(Type.REPEAT, Map.of("node", "n1"), Map.of(), 0.7, 1, T0, T0 + MIN, 0, T0 + 3 * MIN,
        "hit-rate-n1", "");
    assertThat(Messages.state(of(plain), plain)).isEqualTo("STILL FIRING");
    assertThat(Messages.title(of(plain))).isEqualTo("[FIRING] Hit rate {node=\"n1\"}");
    assertThat(of(plain).labelsOf(plain)).doesNotContainKey("severity");
  }

  @Test
  void resolvedAtALevelItLeft_isAResolutionAtThatLevel_sayingSo() {
    Alert deescalated = alert(Type.DEESCALATED, "warning");

    Alert atCritical = deescalated.resolvedAt("critical", T0 + 3 * MIN);

    assertThat(atCritical.isResolved()).isTrue();
    assertThat(atCritical.severity()).isEqualTo("critical");
    assertThat(atCritical.fingerprint()).isEqualTo(deescalated.fingerprint());
    Notification n = of(atCritical);
    assertThat(n.labelsOf(atCritical)).containsEntry("severity", "critical").containsEntry("team", "db");
    assertThat(Messages.title(n)).isEqualTo("[RESOLVED] Hit rate {node=\"n1\", severity=\"critical\"}");
    assertThat(Messages.describe(n, atCritical))
        .isEqualTo("resolved at 2026-03-01 12:03:00 UTC after firing for 2m (below the critical level now, value 0.7)");
    assertThat(AlertKeys.of(n, atCritical)).isEqualTo(AlertKeys.of("hit-rate", Map.of("node", "n1")));
  }

  @Test
  void outbox_keepsAnAlertsLevelAndEvent_acrossARestart(@TempDir Path dir) throws Exception {
    Notification n = of(alert(Type.ESCALATED, "critical"));
    new Outbox(dir).write(n);

    List<Outbox.Entry> loaded = new Outbox(dir).load("chat");

    assertThat(loaded).singleElement().satisfies(e -> assertThat(e.notification()).isEqualTo(n));
  }
}
