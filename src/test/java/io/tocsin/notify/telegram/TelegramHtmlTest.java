package io.tocsin.notify.telegram;

import static io.tocsin.notify.telegram.Fixtures.telegramText;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TelegramHtmlTest {
  /** A short marker keeps the examples short; a cut adds it on a line of its own, 2 characters. */
  private static final String MARKER = "…";

  @Test
  void text_markup_isEscaped() {
    assertThat(TelegramHtml.text("<b>\"a\" & 'b'</b>")).isEqualTo("&lt;b&gt;\"a\" &amp; 'b'&lt;/b&gt;");
    assertThat(TelegramHtml.attribute("https://x/?a=1&b=\"<>\"")).isEqualTo("https://x/?a=1&amp;b=&quot;&lt;&gt;&quot;");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      plain                                   | 5
      a&amp;b&lt;c&gt;&quot;                  | 7
      <b>bold</b> <a href="x&amp;y">link</a>  | 9
      😀                                      | 2
      &#128512;&#65;                          | 3
      """)
  void visibleLength_tagsAndEntities_countAsTelegramDoes(String html, int length) {
    assertThat(TelegramHtml.visibleLength(html)).isEqualTo(length);
  }

  @Test
  void truncate_withinLimit_isUnchanged() {
    assertThat(TelegramHtml.truncate("<b>a&amp;b</b>", 3, MARKER)).isEqualTo("<b>a&amp;b</b>");
  }

  @Test
  void truncate_insideNestedTags_closesThemInnermostFirst() {
    assertThat(TelegramHtml.truncate("<b>hello <i>world</i></b>", 10, MARKER))
        .isEqualTo("<b>hello <i>wo</i></b>\n…");
  }

  @Test
  void truncate_atAnEntity_keepsOrDropsItWhole() {
    assertThat(TelegramHtml.truncate("a&amp;b&lt;c", 4, MARKER)).isEqualTo("a&amp;\n…");
    assertThat(TelegramHtml.truncate("a&amp;b&lt;c", 3, MARKER)).isEqualTo("a\n…");
  }

  @Test
  void truncate_rightAfterAnOpeningTag_leavesNoEmptyElement() {
    assertThat(TelegramHtml.truncate("ab<a href=\"https://x\">cdef</a>", 4, MARKER)).isEqualTo("ab\n…");
  }

  @Test
  void truncate_surrogatePair_isNeverSplit() {
    assertThat(TelegramHtml.truncate("ab😀cd", 5, MARKER)).isEqualTo("ab\n…");
  }

  @Test
  void truncate_blankLineInTheSecondHalf_isWhereItCuts() {
    assertThat(TelegramHtml.truncate("first block\nmore\n\n<b>second block</b>", 26, MARKER))
        .isEqualTo("first block\nmore\n\n…");
  }

  @Test
  void truncate_onlyLineBreakInTheSecondHalf_isWhereItCuts() {
    assertThat(TelegramHtml.truncate("<i>first line\nsecond line</i>", 20, MARKER))
        .isEqualTo("<i>first line\n</i>\n…");
  }

  @Test
  void truncate_lineBreaksTooEarly_cutsWithinTheLine() {
    assertThat(TelegramHtml.truncate("a\n\nbbbbbbbbbbbbbbbbbbbb", 12, MARKER))
        .isEqualTo("a\n\nbbbbbbb\n…");
  }

  @Test
  void truncate_everyLimit_givesValidHtmlWithinIt() {
    String html = "<b>[FIRING] &lt;x&gt; 😀</b>\n\n<b>FIRING</b> <code>{a=\"&amp;&amp;\"}</code>\n"
        + "<i>d&quot;e</i>\n<a href=\"https://x/?a&amp;b\">Run&amp;book</a>\n\nand 3 more";
    int full = TelegramHtml.visibleLength(html);
    for (int max = 2; max <= full + 1; max++) {
      String cut = TelegramHtml.truncate(html, max, MARKER);
      assertThat(telegramText(cut).length()).as("visible length at max %d: %s", max, cut).isLessThanOrEqualTo(max);
      // A lone surrogate (half an emoji) shows up as a code point of its own.
      assertThat(cut.codePoints().filter(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE))
          .as(cut).isEmpty();
      if (max < full) {
        assertThat(cut).endsWith(MARKER);
      } else {
        assertThat(cut).isEqualTo(html);
      }
    }
  }
}
