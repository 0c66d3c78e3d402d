package io.tocsin.notify.email;

import io.tocsin.channels.Channels;
import io.tocsin.config.ServerConfig;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.Notification;
import io.tocsin.notify.NotifierContext;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.AlertEvent;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Notifications, channel settings and contexts for the email tests. */
final class Fixtures {
  static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  static final String LINK = "http://tocsin.example.com/monitors/redis-shard-is-down";
  static final MutableClock CLOCK = MutableClock.at("2026-03-01T12:10:00Z");

  private Fixtures() {}

  /** Fired at T0 after being active for 5 minutes; value 0 against a minimum of 1. */
  static Alert firing(Map<String, String> labels, Map<String, String> annotations) {
    return new Alert(AlertEvent.Type.FIRING, labels, annotations, 0, 1, T0 - 300_000, T0, 0, T0, "fp-" + labels, "");
  }

  /** Fired at T0, resolved 1h5m later with value 1. */
  static Alert resolved(Map<String, String> labels, Map<String, String> annotations) {
    long resolvedAt = T0 + 3_900_000;
    return new Alert(AlertEvent.Type.RESOLVED, labels, annotations, 1, 1, T0 - 300_000, T0, resolvedAt, resolvedAt,
        "fp-" + labels, "");
  }

  static Notification notification(String monitor, Map<String, String> monitorLabels, List<Alert> alerts) {
    return new Notification("0000000000001-000000001", "sre-email", "redis-shard-is-down", monitor, monitorLabels, "",
        LINK, alerts, T0, false);
  }

  static Notification test() {
    Alert alert = new Alert(AlertEvent.Type.FIRING, Map.of("channel", "sre-email"),
        Map.of("summary", "A test message from Tocsin: this channel works."), 1, 0, T0, T0, 0, T0, "test-sre-email", "");
    return new Notification("0000000000001-000000002", "sre-email", "test", "Tocsin test notification", Map.of(), "",
        "http://tocsin.example.com/", List.of(alert), T0, true);
  }

  /** The errors that reading {@code channels: [<yaml>]} from r.yml reports, one per line. */
  static String errors(String channelYaml) {
    try {
      declaration(channelYaml);
      return "";
    } catch (ConfigException e) {
      return e.getMessage();
    }
  }

  /** An email channel's settings, given in YAML flow style as in {@code channels: [...]}; must be valid. */
  static EmailNotifier.Config config(String channelYaml) {
    try {
      ChannelDeclaration declaration = declaration(channelYaml);
      List<ConfigError> errors = new ArrayList<>();
      EmailNotifier.Config config = EmailNotifier.parse(new ChannelSettings(declaration, errors));
      if (!errors.isEmpty()) {
        throw new AssertionError(errors.toString());
      }
      return config;
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static ChannelDeclaration declaration(String channelYaml) throws ConfigException {
    return new RuleFiles(Map.<String, String>of()::get, Channels::check)
        .parse(Map.of("r.yml", "channels: [" + channelYaml + "]")).channels().get(0);
  }

  static NotifierContext context(ServerConfig.Smtp smtp) {
    return context(smtp, Duration.ofSeconds(5));
  }

  static NotifierContext context(ServerConfig.Smtp smtp, Duration requestTimeout) {
    return new NotifierContext(CLOCK, null, smtp, "http://tocsin.example.com", (HttpClient) null, requestTimeout);
  }
}
