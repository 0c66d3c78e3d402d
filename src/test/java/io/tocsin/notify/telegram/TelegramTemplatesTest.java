package io.tocsin.notify.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.TemplateFixtures;
import org.junit.jupiter.api.Test;

class TelegramTemplatesTest {
  @Test
  void templates_replaceTitleAndAlertList_withTheRenderedTextHtmlEscaped() throws Exception {
    assertThat(TelegramMessage.format(TemplateFixtures.notification(), TemplateFixtures.standard())).isEqualTo("""
        <b>critical: Shard is down on &lt;b&gt;n1&lt;/b&gt; &amp; *bold* &lt;!channel&gt; "q" 'a'</b>
        &lt;b&gt;n1&lt;/b&gt; &amp; *bold* &lt;!channel&gt; "q" 'a' is at 0
        back: n2

        <a href="http://tocsin.example/monitors/shard-is-down">Open in Tocsin</a>""");
  }
}
