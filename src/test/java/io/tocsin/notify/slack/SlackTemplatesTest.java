package io.tocsin.notify.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.model.block.SectionBlock;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.TemplateFixtures;
import org.junit.jupiter.api.Test;

class SlackTemplatesTest {
  @Test
  void templates_replaceTitleAndAlertSections_withEveryCharacterOfTheRenderedTextEscaped() throws Exception {
    SlackMessage message = SlackMessage.of(TemplateFixtures.notification(), TemplateFixtures.standard());

    String title = "critical: Shard is down on &lt;b&gt;n1&lt;/b&gt; &amp; *bold* &lt;!channel&gt; \"q\" 'a'";
    assertThat(message.text()).isEqualTo(title);
    assertThat(((SectionBlock) message.blocks().get(0)).getText().getText()).isEqualTo("*" + title + "*");
    assertThat(message.attachments().get(0).getBlocks()).hasSize(2);
    assertThat(((SectionBlock) message.attachments().get(0).getBlocks().get(0)).getText().getText()).isEqualTo(
        "&lt;b&gt;n1&lt;/b&gt; &amp; *bold* &lt;!channel&gt; \"q\" 'a' is at 0\nback: n2");
    assertThat(message.attachments().get(0).getColor()).isEqualTo(SlackMessage.RED);
  }

  @Test
  void withoutTemplates_theMessageIsTheDefaultOne() {
    assertThat(SlackMessage.of(TemplateFixtures.notification(), ChannelTemplates.NONE))
        .isEqualTo(SlackMessage.of(TemplateFixtures.notification()));
  }
}
