package io.tocsin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** external_url left at localhost while notifications reach people: one warning at start. */
class ExternalUrlWarningTest {
  private static final String WARNING = "WARN external_url is http://localhost:8080: links in notifications point at "
      + "localhost, which the people who receive them cannot open; set external_url in tocsin.yml to the address they "
      + "reach Tocsin at";

  @TempDir
  Path dir;

  @Test
  void start_withTheDefaultExternalUrlAndAWebhookChannel_warnsOnce() throws Exception {
    Files.writeString(dir.resolve("rules.yml"), """
        channels:
          - {name: hook, type: webhook, url: "http://127.0.0.1:9/hook"}
        """);
    try (LogCapture logs = LogCapture.of(Tocsin.class);
        Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dir.resolve("data")).withRuleFiles(dir,
            List.of("rules.yml")), MutableClock.at("2026-03-01T12:00:00Z"), false)) {
      assertThat(logs.messages()).filteredOn(m -> m.contains("external_url")).containsExactly(WARNING);
    }
  }

  @Test
  void start_withOnlyTheLogChannel_doesNotWarn() throws Exception {
    try (LogCapture logs = LogCapture.of(Tocsin.class);
        Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dir.resolve("data")),
            MutableClock.at("2026-03-01T12:00:00Z"), false)) {
      assertThat(logs.messages()).noneMatch(m -> m.contains("external_url"));
    }
  }

  @Test
  void warning_isLeftOutForAnAddressPeopleCanReach() {
    ChannelDeclaration slack = new ChannelDeclaration("oncall", "slack",
        new YamlNode.Mapping(new Mark("rules.yml", 1, 1), Map.of()), new Mark("rules.yml", 1, 1));
    try (LogCapture logs = LogCapture.of(Tocsin.class)) {
      Tocsin.warnIfLinksPointAtLocalhost("https://tocsin.example.com", List.of(slack));
      Tocsin.warnIfLinksPointAtLocalhost("http://127.0.0.1:8080", List.of(slack));
      assertThat(logs.messages()).containsExactly(WARNING.replace("http://localhost:8080", "http://127.0.0.1:8080"));
    }
  }
}
