package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.webhook.ChannelYaml;
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

  @Test
  void everyChatAndIncidentChannel_takesTemplates_andABrokenOneIsACheckErrorAtItsLine() {
    assertThat(ChannelYaml.errors("""
        - {name: pd, type: pagerduty, routing_key: R0ut1ngKeyOfTocsinPagerDutyTest0, title: "{{#firing}}"}
        - {name: og, type: opsgenie, api_key: k, text: "{{monitor.name}"}
        - {name: ms, type: teams, webhook_url: "https://x.example/t", title: "ok", text: "{{/firing}}"}
        - {name: gc, type: googlechat, webhook_url: "https://x.example/g", title: "{{#a}}"}
        - {name: mm, type: mattermost, webhook_url: "https://x.example/m", text: "{{#a}}"}
        - {name: dc, type: discord, webhook_url: "https://x.example/d", title: "{{title}}", text: "{{#a}}"}""")
        .lines()).containsExactly(
            "r.yml:2:88: title of channel \"pd\": invalid template: Failed to close 'firing' tag",
            "r.yml:3:51: text of channel \"og\": invalid template: Improperly closed variable",
            "r.yml:4:85: text of channel \"ms\": invalid template: Mismatched start/end tags: null != firing",
            "r.yml:5:78: title of channel \"gc\": invalid template: Failed to close 'a' tag",
            "r.yml:6:77: text of channel \"mm\": invalid template: Failed to close 'a' tag",
            "r.yml:7:94: text of channel \"dc\": invalid template: Failed to close 'a' tag");
  }
}
