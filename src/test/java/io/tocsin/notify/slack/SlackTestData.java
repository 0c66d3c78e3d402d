package io.tocsin.notify.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.Notification;
import io.tocsin.notify.NotifierContext;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.AlertEvent;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Alerts, notifications and channel settings for the Slack tests. */
final class SlackTestData {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  static final String MONITOR = "Redis shard is down";
  static final String LINK = "http://tocsin.example/monitors/redis-shard-is-down";
  static final String TOKEN = "xoxb-1111-2222-secretTOKEN";

  private SlackTestData() {}

  static Alert firing(String node) {
    return alert(AlertEvent.Type.FIRING, node, Map.of());
  }

  static Alert repeat(String node) {
    return alert(AlertEvent.Type.REPEAT, node, Map.of());
  }

  static Alert resolved(String node) {
    return alert(AlertEvent.Type.RESOLVED, node, Map.of());
  }

  static Alert alert(AlertEvent.Type type, String node, Map<String, String> annotations) {
    return alert(type, Map.of("node", node), annotations);
  }

  static Alert alert(AlertEvent.Type type, Map<String, String> labels, Map<String, String> annotations) {
    boolean resolved = type == AlertEvent.Type.RESOLVED;
    long resolvedAt = resolved ? T0 + Duration.ofMinutes(65).toMillis() : 0;
    return new Alert(type, labels, annotations, resolved ? 1 : 0, 1, T0 - Duration.ofMinutes(5).toMillis(), T0,
        resolvedAt, resolved ? resolvedAt : T0, "redis-shard-is-down-" + labels.getOrDefault("node", "none"), "");
  }

  static Notification notification(Alert... alerts) {
    return notification("0001772366400000-000000001", List.of(alerts));
  }

  static Notification notification(String id, List<Alert> alerts) {
    return new Notification(id, "ops", "redis-shard-is-down", MONITOR, Map.of(), "", LINK, alerts, T0, false);
  }

  /** What NotificationDispatcher.sendTest sends. */
  static Notification testNotification() {
    Alert alert = new Alert(AlertEvent.Type.FIRING, Map.of("channel", "ops"),
        Map.of("summary", "A test message from Tocsin: this channel works."), 1, 0, T0, T0, 0, T0, "test-ops", "");
    return new Notification("0001772366400000-000000009", "ops", "test", "Tocsin test notification", Map.of(), "",
        "http://tocsin.example/", List.of(alert), T0, true);
  }

  static NotifierContext context(Clock clock, Path stateDir, Duration requestTimeout) {
    return new NotifierContext(clock, stateDir, null, "http://tocsin.example", HttpClient.newHttpClient(),
        requestTimeout);
  }

  /** The one channel declared in a rule file. */
  static ChannelDeclaration declaration(String channelYaml) {
    try {
      return new RuleFiles(Map.<String, String>of()::get).parse(Map.of("r.yml", "channels:\n  - " + channelYaml + "\n"))
          .channels().get(0);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  static SlackNotifier.Config config(String channelYaml) {
    List<ConfigError> errors = new ArrayList<>();
    SlackNotifier.Config config = SlackNotifier.parse(new ChannelSettings(declaration(channelYaml), errors));
    assertThat(errors).isEmpty();
    return config;
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A chat.postMessage form as JSON, with its JSON-valued fields (blocks, attachments) parsed
   * and a field sent more than once as an array of its values.
   */
  static JsonNode form(FakeSlack.Request request) {
    ObjectNode node = JSON.createObjectNode();
    request.form().forEach((k, values) -> {
      if (values.size() > 1) {
        values.forEach(node.putArray(k)::add);
      } else if (k.equals("blocks") || k.equals("attachments")) {
        node.set(k, json(values.get(0)));
      } else {
        node.put(k, values.get(0));
      }
    });
    return node;
  }
}
