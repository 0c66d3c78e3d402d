package io.tocsin.notify.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MrkdwnTest {

  @Test
  void escape_controlCharacters_becomeEntities() {
    assertThat(Mrkdwn.escape("<!channel> & <@U1> <https://x|y> *bold*"))
        .isEqualTo("&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x|y&gt; *bold*");
  }

  @Test
  void escape_anEscapedText_isEscapedAgain() {
    assertThat(Mrkdwn.escape("&lt;")).isEqualTo("&amp;lt;");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '^', value = {
      "https://runbooks.example/a?b=1&c=2 ^ Runbook ^ <https://runbooks.example/a?b=1&amp;c=2|Runbook>",
      "http://tocsin:9464/monitors/x      ^ <Open>  ^ <http://tocsin:9464/monitors/x|&lt;Open&gt;>",
      "/monitors/x                        ^ Open    ^ /monitors/x",
      "javascript:alert(1)                ^ Open    ^ javascript:alert(1)",
      "https://x/<!channel>               ^ Open    ^ https://x/&lt;!channel&gt;",
      "https://x/a|b                      ^ Open    ^ https://x/a|b"})
  void link_onlyAbsoluteWebUrls_becomeLinks(String url, String text, String expected) {
    assertThat(Mrkdwn.link(url, text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '^', value = {
      "abcdefghij        ^ 10 ^ abcdefghij",
      "abcdefghijk       ^ 10 ^ abcdefghi…",
      "abcdef &amp; ghij ^ 10 ^ abcdef …",
      "ab <https://x|y>  ^ 10 ^ ab …",
      "ab <https://x> cd ^ 16 ^ ab <https://x> …"})
  void truncate_neverLeavesHalfAnEntityOrLink(String text, int max, String expected) {
    assertThat(Mrkdwn.truncate(text, max)).isEqualTo(expected).hasSizeLessThanOrEqualTo(max);
  }
}
