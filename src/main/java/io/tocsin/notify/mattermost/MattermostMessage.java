package io.tocsin.notify.mattermost;

import static io.tocsin.notify.Messages.cut;
import static io.tocsin.notify.Messages.isWebUrl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.MarkdownAlerts;
import io.tocsin.notify.Notification;

/**
 * A notification as a Mattermost incoming-webhook post in Slack's attachment format: the title as
 * the post's text, and one attachment in the state's colour, titled with the monitor (linking to
 * it), listing the alerts.
 *
 * <p>Mattermost renders Markdown in the text and mentions in both, and turns Slack's {@code
 * <!channel>} into a mention. So every inserted text has {@code &}, {@code <} and {@code >} as
 * entities (no {@code <!…>} survives), Markdown's other characters behind a backslash, and a
 * zero-width space after each {@code @}, which shows the same but mentions no one ({@code @here},
 * {@code @channel}, {@code @all}, users). Limit: a post's text is at most 16,383 characters; the
 * attachment's text is kept within that too, each part of an alert cut to {@link #MAX_PART} plain
 * characters first so that one alert always fits.
 *
 * <p>A {@code title} template replaces the title (the post's text and the fallback), a {@code text}
 * template the list of alerts in the attachment; both are escaped like the default text.
 */
final class MattermostMessage {
  static final int MAX_TEXT = 16_383;
  static final int MAX_PART = 1000;
  static final String RED = "#E01E5A";
  static final String GREEN = "#2EB67D";
  static final String GREY = "#9E9EA6";
  private static final String MARKDOWN = "\\*_~`[]()#|-";
  /** Shows nothing; after an {@code @} it keeps the word from being a mention. */
  static final char ZERO_WIDTH_SPACE = '\u200B';
  private static final MarkdownAlerts ALERTS = new MarkdownAlerts(MAX_PART, MattermostMessage::escape, "<>");

  private MattermostMessage() {}

  static ObjectNode of(Notification n) {
    return of(n, ChannelTemplates.NONE);
  }

  static ObjectNode of(Notification n, ChannelTemplates templates) {
    ObjectNode post = JsonNodeFactory.instance.objectNode();
    String title = cut(templates.title(n), MAX_PART);
    post.put("text", escape(title));
    ObjectNode attachment = post.putArray("attachments").addObject();
    attachment.put("fallback", noMentions(title));
    attachment.put("color", n.test() ? GREY : n.firing().isEmpty() ? GREEN : RED);
    attachment.put("title", noMentions(cut(n.monitor(), MAX_PART)));
    if (isWebUrl(n.link())) {
      attachment.put("title_link", n.link());
    }
    attachment.put("text", ALERTS.text(n, templates, MAX_TEXT));
    return post;
  }

  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '@' -> sb.append('@').append(ZERO_WIDTH_SPACE);
        default -> {
          if (MARKDOWN.indexOf(c) >= 0) {
            sb.append('\\');
          }
          sb.append(c);
        }
      }
    }
    return sb.toString();
  }

  /**
   * Plain text (the fallback, the title) with mentions broken, as notifications show it: {@code @}
   * and Slack's {@code <!} each get a zero-width space.
   */
  static String noMentions(String text) {
    return text.replace("@", "@" + ZERO_WIDTH_SPACE).replace("<!", "<" + ZERO_WIDTH_SPACE + "!");
  }
}
