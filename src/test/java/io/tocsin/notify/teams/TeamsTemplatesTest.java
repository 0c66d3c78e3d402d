package io.tocsin.notify.teams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.TemplateFixtures;
import io.tocsin.notify.webhook.ChannelYaml;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.ChannelTestData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeamsTemplatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void templates_replaceTitleAndAlerts_withOneParagraphOfTextRunsALine() throws Exception {
    assertThat(TeamsCard.of(TemplateFixtures.notification(), TemplateFixtures.standard())).isEqualTo(
        JSON.readTree("""
            {
              "type": "message",
              "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                  "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                  "type": "AdaptiveCard",
                  "version": "1.4",
                  "msteams": {"width": "Full"},
                  "body": [
                    {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "critical: Shard is down on <b>n1</b> & *bold* <!channel> \\"q\\" 'a'", "weight": "Bolder", "size": "Medium", "color": "Attention"}]},
                    {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "<b>n1</b> & *bold* <!channel> \\"q\\" 'a' is at 0"}], "separator": true},
                    {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": "back: n2"}]}
                  ],
                  "actions": [{"type": "Action.OpenUrl", "title": "Open in Tocsin", "url": "http://tocsin.example/monitors/shard-is-down"}]
                }
              }]
            }"""));
  }

  @Test
  void withoutTemplates_theCardIsTheDefaultOne() {
    assertThat(TeamsCard.of(TemplateFixtures.notification(), ChannelTemplates.NONE))
        .isEqualTo(TeamsCard.of(TemplateFixtures.notification()));
  }

  @Test
  void text_blankLinesSpaceParagraphs_andLongTextStaysWithinTheCardsSize() throws Exception {
    ObjectNode card = TeamsCard.of(TemplateFixtures.notification(), TemplateFixtures.templates(null,
        "first\n\n  \nsecond\n{{#alerts}}" + "x\n".repeat(20_000) + "{{/alerts}}"));

    JsonNode body = card.get("attachments").get(0).get("content").get("body");
    assertThat(body.get(1)).isEqualTo(JSON.readTree(
        "{\"type\": \"RichTextBlock\", \"inlines\": [{\"type\": \"TextRun\", \"text\": \"first\"}], \"separator\": true}"));
    assertThat(body.get(2)).isEqualTo(JSON.readTree(
        "{\"type\": \"RichTextBlock\", \"inlines\": [{\"type\": \"TextRun\", \"text\": \"second\"}], \"spacing\": \"Medium\"}"));
    assertThat(body.get(3).get("inlines").get(0).get("text").asText()).isEqualTo("x");
    assertThat(body.get(body.size() - 1)).isEqualTo(JSON.readTree(
        "{\"type\": \"RichTextBlock\", \"inlines\": [{\"type\": \"TextRun\", \"text\": \"…\", \"isSubtle\": true}]}"));
    assertThat(TeamsCard.size(card)).isLessThanOrEqualTo(TeamsCard.MAX_BYTES);
  }

  @Test
  void send_templatesFromTheChannelsYaml_shapeThePostedCard(@TempDir Path stateDir) throws Exception {
    try (RecordingReceiver teams = RecordingReceiver.start(TeamsNotifierTest.FLOW_PATH)) {
      TeamsNotifier notifier = ChannelYaml.notifier("- {name: ms, type: teams, webhook_url: \""
          + teams.url(TeamsNotifierTest.FLOW_PATH + "?" + TeamsNotifierTest.QUERY) + "\", title: \"{{severity}}"
          + "{{monitor.name}}!\", text: \"{{#firing}}{{labels.node}} down{{/firing}}\"}",
          TeamsNotifier::parse, TeamsNotifier::new, stateDir);

      notifier.send(ChannelTestData.notification("ms", List.of(ChannelTestData.firing("n1"))));

      JsonNode body = teams.json(0).get("attachments").get(0).get("content")
          .get("body");
      assertThat(body.get(0).get("inlines").get(0).get("text").asText()).isEqualTo("Redis shard is down!");
      assertThat(body.get(1).get("inlines").get(0).get("text").asText()).isEqualTo("n1 down");
      assertThat(body).hasSize(2);
    }
  }
}
