package io.tocsin.notify.pagerduty;

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
import io.tocsin.testing.LogCapture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PagerDutyTemplatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void templates_renderPerAlert_andReplaceSummaryAndDescription_asPlainText() throws Exception {
    Notification n = TemplateFixtures.notification();
    Alert down = n.alerts().get(0);

    JsonNode event = PagerDutyEvent.trigger(n, down, Severity.CRITICAL, TemplateFixtures.standard());

    // The resolved alert of the same notification is not in this event's "back:" line: one event, one alert.
    assertThat(event).isEqualTo(JSON.readTree("""
        {
          "event_action": "trigger",
          "dedup_key": "%s",
          "payload": {
            "summary": "critical: Shard is down on <b>n1</b> & *bold* <!channel> \\"q\\" 'a'",
            "source": "Tocsin",
            "severity": "critical",
            "timestamp": "2026-03-01T12:05:00Z",
            "group": "shard-is-down",
            "class": "Shard is down",
            "custom_details": {
              "state": "FIRING",
              "description": "<b>n1</b> & *bold* <!channel> \\"q\\" 'a' is at 0\\nback: ",
              "labels": {"alertname": "Shard is down", "node": "<b>n1</b> & *bold* <!channel> \\"q\\" 'a'", "severity": "critical"},
              "annotations": {"summary": "shard <b>n1</b> & *bold* <!channel> \\"q\\" 'a' is down"}
            }
          },
          "client": "Tocsin",
          "client_url": "http://tocsin.example/monitors/shard-is-down"
        }""".formatted(AlertKeys.of(n, down))));
  }

  @Test
  void withoutTemplates_theEventIsTheDefaultOne() {
    Notification n = TemplateFixtures.notification();
    assertThat(PagerDutyEvent.trigger(n, n.alerts().get(0), Severity.CRITICAL, ChannelTemplates.NONE))
        .isEqualTo(PagerDutyEvent.trigger(n, n.alerts().get(0), Severity.CRITICAL));
  }

  @Test
  void failingTitle_fallsBackToTheDefaultSummaryWithItsAnnotation_andSaysWhy() throws Exception {
    Notification n = TemplateFixtures.notification();
    try (LogCapture logs = LogCapture.of(ChannelTemplates.class)) {
      JsonNode event = PagerDutyEvent.trigger(n, n.alerts().get(0), Severity.CRITICAL,
          TemplateFixtures.templates("{{#resolved}}x{{/resolved}}", null));

      assertThat(event.get("payload").get("summary").asText())
          .isEqualTo(PagerDutyEvent.summary(n, n.alerts().get(0)))
          .endsWith(": shard " + TemplateFixtures.HOSTILE + " is down");
      assertThat(logs.messages()).containsExactly("WARN channel \"chat\": the title template failed for notification "
          + "id1 (it rendered nothing); sending the default title instead");
    }
  }

  @Test
  void send_templatesFromTheChannelsYaml_giveEachAlertsEventItsOwnSummary(@TempDir Path stateDir) throws Exception {
    try (RecordingReceiver pagerDuty = RecordingReceiver.start(PagerDutyNotifier.PATH)) {
      PagerDutyNotifier notifier = ChannelYaml.notifier("- {name: pd, type: pagerduty, "
          + "routing_key: " + PagerDutyNotifierTest.KEY + ", api_url: \"" + pagerDuty.url("/") + "\", title: "
          + "\"{{monitor.name}} on {{#alerts}}{{labels.node}}{{/alerts}}\", text: \"{{count}} alert\"}",
          PagerDutyNotifier::parse, PagerDutyNotifier::new, stateDir);

      notifier.send(ChannelTestData.notification("pd", List.of(ChannelTestData.firing("n1"),
          ChannelTestData.firing("n2"), ChannelTestData.resolved("n3"))));

      List<JsonNode> events = pagerDuty.jsonBodies();
      assertThat(events).extracting(e -> e.path("payload").path("summary").asText())
          .containsExactly("Redis shard is down on n1", "Redis shard is down on n2", "");
      assertThat(events.get(0).get("payload").get("custom_details").get("description").asText()).isEqualTo("1 alert");
      assertThat(events.get(2).get("event_action").asText()).isEqualTo("resolve");
    }
  }
}
