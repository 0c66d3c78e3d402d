package io.tocsin.notify.googlechat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.TemplateFixtures;
import io.tocsin.notify.webhook.ChannelYaml;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.ChannelTestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GoogleChatTemplatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void templates_replaceHeaderTitleAndAlertParagraph_withTheRenderedTextHtmlEscaped() throws Exception {
    assertThat(GoogleChatMessage.of(TemplateFixtures.notification(), TemplateFixtures.standard())).isEqualTo(
        JSON.readTree("""
            {
              "cardsV2": [{
                "cardId": "tocsin",
                "card": {
                  "header": {"title": "critical: Shard is down on <b>n1</b> & *bold* <!channel> \\"q\\" 'a'", "subtitle": "Tocsin"},
                  "sections": [{"widgets": [
                    {"textParagraph": {"text": "&lt;b&gt;n1&lt;/b&gt; &amp; *bold* &lt;!channel&gt; \\"q\\" 'a' is at 0<br>back: n2"}},
                    {"buttonList": {"buttons": [{"text": "Open in Tocsin", "onClick": {"openLink": {"url": "http://tocsin.example/monitors/shard-is-down"}}}]}}
                  ]}]
                }
              }],
              "thread": {"threadKey": "%s"}
            }""".formatted(AlertKeys.of("shard-is-down", Map.of()))));
  }

  @Test
  void withoutTemplates_theMessageIsTheDefaultOne() {
    assertThat(GoogleChatMessage.of(TemplateFixtures.notification(), ChannelTemplates.NONE))
        .isEqualTo(GoogleChatMessage.of(TemplateFixtures.notification()));
  }

  @Test
  void longText_isCutToTheParagraphsLimitWithoutHalfAnEntity() throws Exception {
    String text = GoogleChatMessage.of(TemplateFixtures.notification(), TemplateFixtures.templates(null,
        "{{#alerts}}" + "&".repeat(1000) + "{{/alerts}}")).get("cardsV2").get(0).get("card").get("sections").get(0)
        .get("widgets").get(0).get("textParagraph").get("text").asText();

    assertThat(text).isEqualTo("&amp;".repeat(819) + "…");
  }

  @Test
  void send_templatesFromTheChannelsYaml_shapeThePostedCard(@TempDir Path stateDir) throws Exception {
    try (RecordingReceiver chat = RecordingReceiver.start(GoogleChatNotifierTest.SPACE_PATH)) {
      GoogleChatNotifier notifier = ChannelYaml.notifier("- {name: gc, type: googlechat, "
          + "webhook_url: \"" + chat.url(GoogleChatNotifierTest.SPACE_PATH + "?" + GoogleChatNotifierTest.QUERY)
          + "\", title: \"{{severity}}{{monitor.name}}!\", text: \"{{#firing}}{{labels.node}} down{{/firing}}\"}",
          GoogleChatNotifier::parse, GoogleChatNotifier::new, stateDir);

      notifier.send(ChannelTestData.notification("gc", List.of(ChannelTestData.firing("n<1>"))));

      JsonNode card = chat.json(0).get("cardsV2").get(0).get("card");
      assertThat(card.get("header").get("title").asText()).isEqualTo("Redis shard is down!");
      assertThat(card.get("sections").get(0).get("widgets").get(0).get("textParagraph").get("text").asText())
          .isEqualTo("n&lt;1&gt; down");
    }
  }
}
