package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.testing.LogCapture;
import org.junit.jupiter.api.Test;

class ChannelTemplatesTest {
  @Test
  void aTemplateThatRendersNothing_givesWayToTheDefault_andSaysWhy() throws Exception {
    ChannelTemplates templates = TemplateFixtures.templates("{{#no_such_list}}x{{/no_such_list}}", " {{nothing}} ");
    Notification n = TemplateFixtures.notification();
    try (LogCapture logs = LogCapture.of(ChannelTemplates.class)) {
      assertThat(templates.title(n)).isEqualTo(Messages.title(n)).isEqualTo("[FIRING:1, RESOLVED:1] Shard is down");
      assertThat(templates.text(n)).isNull();
      assertThat(logs.messages()).containsExactly(
          "WARN channel \"chat\": the title template failed for notification id1 (it rendered nothing); sending the "
              + "default title instead",
          "WARN channel \"chat\": the text template failed for notification id1 (it rendered nothing); sending the "
              + "default text instead");
    }
  }

  @Test
  void withoutTemplates_theDefaultTitleAndNoText() {
    Notification n = TemplateFixtures.notification();
    assertThat(ChannelTemplates.NONE.title(n)).isEqualTo(Messages.title(n));
    assertThat(ChannelTemplates.NONE.text(n)).isNull();
  }
}
