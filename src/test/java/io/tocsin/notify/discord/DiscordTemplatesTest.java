package io.tocsin.notify.discord;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.TemplateFixtures;
import io.tocsin.notify.webhook.ChannelYaml;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.ChannelTestData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscordTemplatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void templates_replaceContentAndDescription_withTheRenderedTextMarkdownEscaped() throws Exception {
    assertThat(DiscordMessage.of(TemplateFixtures.notification(), TemplateFixtures.standard())).isEqualTo(
        JSON.readTree("""
            {
              "content": "critical: Shard is down on \\\\<b\\\\>n1\\\\</b\\\\> & \\\\*bold\\\\* \\\\<!channel\\\\> \\"q\\" 'a'",
              "embeds": [{
                "title": "Shard is down",
                "url": "http://tocsin.example/monitors/shard-is-down",
                "description": "\\\\<b\\\\>n1\\\\</b\\\\> & \\\\*bold\\\\* \\\\<!channel\\\\> \\"q\\" 'a' is at 0\\nback: n2",
                "color": 14687834,
                "timestamp": "2026-03-01T12:00:00Z"
              }],
              "allowed_mentions": {"parse": []}
            }"""));
  }

  @Test
  void withoutTemplates_theMessageIsTheDefaultOne() {
    assertThat(DiscordMessage.of(TemplateFixtures.notification(), ChannelTemplates.NONE))
        .isEqualTo(DiscordMessage.of(TemplateFixtures.notification()));
  }

  @Test
  void longText_isCutToTheDescriptionsLimitWithoutHalfAnEscape() throws Exception {
    String text = DiscordMessage.of(TemplateFixtures.notification(), TemplateFixtures.templates(null,
        "{{#alerts}}" + "*".repeat(3000) + "{{/alerts}}")).get("embeds").get(0).get("description").asText();

    assertThat(text).hasSize(DiscordMessage.MAX_DESCRIPTION - 1).isEqualTo("\\*".repeat(2047) + "…");
  }

  @Test
  void send_templatesFromTheChannelsYaml_shapeThePostedMessage(@TempDir Path stateDir) throws Exception {
    try (RecordingReceiver discord = RecordingReceiver.start(DiscordNotifierTest.HOOK_PATH)) {
      DiscordNotifier notifier = ChannelYaml.notifier("- {name: dc, type: discord, webhook_url: \""
          + discord.url(DiscordNotifierTest.HOOK_PATH) + "\", title: \"{{severity}}{{monitor.name}}!\", "
          + "text: \"{{#firing}}{{labels.node}} down{{/firing}}\"}",
          DiscordNotifier::parse, DiscordNotifier::new, stateDir);

      notifier.send(ChannelTestData.notification("dc", List.of(ChannelTestData.firing("n_1"))));

      JsonNode body = discord.json(0);
      assertThat(body.get("content").asText()).isEqualTo("Redis shard is down!");
      assertThat(body.get("embeds").get(0).get("description").asText()).isEqualTo("n\\_1 down");
    }
  }
}
