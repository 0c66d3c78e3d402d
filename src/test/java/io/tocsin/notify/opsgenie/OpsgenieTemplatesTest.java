package io.tocsin.notify.opsgenie;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Severity;
import io.tocsin.notify.TemplateFixtures;
import io.tocsin.notify.webhook.ChannelYaml;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.ChannelTestData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpsgenieTemplatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void templates_renderPerAlert_andReplaceMessageAndDescription_htmlEscaped() throws Exception {
    Notification n = TemplateFixtures.notification();
    Alert down = n.alerts().get(0);

    JsonNode alert = OpsgenieAlert.create(n, down, Severity.CRITICAL, TemplateFixtures.standard());

    // The resolved alert of the same notification is not in this alert's "back:" line: one request, one alert.
    assertThat(alert).isEqualTo(JSON.readTree("""
        {
          "message": "critical: Shard is down on &lt;b&gt;n1&lt;/b&gt; &amp; *bold* &lt;!channel&gt; \\"q\\" 'a'",
          "alias": "%s",
          "description": "&lt;b&gt;n1&lt;/b&gt; &amp; *bold* &lt;!channel&gt; \\"q\\" 'a' is at 0\\nback:\\nMonitor: http://tocsin.example/monitors/shard-is-down",
          "details": {"alertname": "Shard is down", "node": "<b>n1</b> & *bold* <!channel> \\"q\\" 'a'", "severity": "critical"},
          "entity": "Shard is down",
          "source": "Tocsin",
          "priority": "P1"
        }""".formatted(AlertKeys.of(n, down))));
  }

  @Test
  void withoutTemplates_theAlertIsTheDefaultOne() {
    Notification n = TemplateFixtures.notification();
    assertThat(OpsgenieAlert.create(n, n.alerts().get(0), Severity.CRITICAL, ChannelTemplates.NONE))
        .isEqualTo(OpsgenieAlert.create(n, n.alerts().get(0), Severity.CRITICAL));
  }

  @Test
  void longText_isCutToTheDescriptionsLimit_andKeepsTheMonitorLink() throws Exception {
    Notification n = TemplateFixtures.notification();

    String description = OpsgenieAlert.create(n, n.alerts().get(0), Severity.CRITICAL,
        TemplateFixtures.templates(null, "<".repeat(20_000))).get("description").asText();

    String link = "\nMonitor: http://tocsin.example/monitors/shard-is-down";
    assertThat(description).hasSizeLessThanOrEqualTo(OpsgenieAlert.MAX_DESCRIPTION)
        .isEqualTo("&lt;".repeat((OpsgenieAlert.MAX_DESCRIPTION - link.length() - 1) / 4) + "…" + link);
  }

  @Test
  void send_templatesFromTheChannelsYaml_giveEachAlertItsOwnMessage(@TempDir Path stateDir) throws Exception {
    try (RecordingReceiver opsgenie = RecordingReceiver.start("/v2/alerts", "/v2/alerts/{alias}/close")) {
      OpsgenieNotifier notifier = ChannelYaml.notifier("- {name: og, type: opsgenie, api_key: "
          + OpsgenieNotifierTest.KEY + ", api_url: \"" + opsgenie.url("") + "\", title: \"{{monitor.name}} on "
          + "{{#alerts}}{{labels.node}}{{/alerts}}\", text: \"{{count}} alert\"}",
          OpsgenieNotifier::parse, OpsgenieNotifier::new, stateDir);

      notifier.send(ChannelTestData.notification("og", List.of(ChannelTestData.firing("n1"),
          ChannelTestData.firing("n2"))));

      JsonNode first = opsgenie.json(0);
      assertThat(first.get("message").asText()).isEqualTo("Redis shard is down on n1");
      assertThat(first.get("description").asText())
          .isEqualTo("1 alert\nMonitor: http://tocsin.example/monitors/redis-shard-is-down");
      assertThat(opsgenie.json(1).get("message").asText())
          .isEqualTo("Redis shard is down on n2");
    }
  }
}
