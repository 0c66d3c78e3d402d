package io.tocsin.notify.mattermost;

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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MattermostTemplatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void templates_replaceTitleAndAlertList_withTheRenderedTextEscaped() throws Exception {
    assertThat(MattermostMessage.of(TemplateFixtures.notification(), TemplateFixtures.standard())).isEqualTo(
        JSON.readTree("""
            {
              "text": "critical: Shard is down on &lt;b&gt;n1&lt;/b&gt; &amp; \\\\*bold\\\\* &lt;!channel&gt; \\"q\\" 'a'",
              "attachments": [{
                "fallback": "critical: Shard is down on <b>n1</b> & *bold* <\\u200B!channel> \\"q\\" 'a'",
                "color": "#E01E5A",
                "title": "Shard is down",
                "title_link": "http://tocsin.example/monitors/shard-is-down",
                "text": "&lt;b&gt;n1&lt;/b&gt; &amp; \\\\*bold\\\\* &lt;!channel&gt; \\"q\\" 'a' is at 0\\nback: n2"
              }]
            }"""));
  }

  @Test
  void withoutTemplates_theMessageIsTheDefaultOne() {
    assertThat(MattermostMessage.of(TemplateFixtures.notification(), ChannelTemplates.NONE))
        .isEqualTo(MattermostMessage.of(TemplateFixtures.notification()));
  }

  @Test
  void send_templatesFromTheChannelsYaml_shapeThePostAndMentionNobody(@TempDir Path stateDir) throws Exception {
    try (RecordingReceiver mattermost = RecordingReceiver.start(MattermostNotifierTest.HOOK_PATH)) {
      MattermostNotifier notifier = ChannelYaml.notifier("- {name: mm, type: mattermost, "
          + "webhook_url: \"" + mattermost.url(MattermostNotifierTest.HOOK_PATH) + "\", title: \"{{monitor.name}} on "
          + "{{#firing}}{{labels.node}}{{/firing}}\", text: \"{{#firing}}{{labels.node}} down{{/firing}}\"}",
          MattermostNotifier::parse, MattermostNotifier::new, stateDir);

      notifier.send(ChannelTestData.notification("mm", List.of(ChannelTestData.firing(Map.of("node", "@here"),
          Map.of()))));

      JsonNode body = mattermost.json(0);
      assertThat(body.get("text").asText()).isEqualTo("Redis shard is down on @\u200Bhere");
      assertThat(body.get("attachments").get(0).get("fallback").asText()).isEqualTo("Redis shard is down on @\u200Bhere");
      assertThat(body.get("attachments").get(0).get("text").asText()).isEqualTo("@\u200Bhere down");
    }
  }
}
