package io.tocsin.notify.discord;

import static io.tocsin.notify.Messages.cut;
import static io.tocsin.notify.Messages.isWebUrl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.MarkdownAlerts;
import io.tocsin.notify.Notification;
import java.time.Instant;

/**
 * A notification as a Discord webhook message: the title as {@code content} (what notifications
 * show), and one embed in the state's colour, titled with the monitor and linking to it, whose
 * description lists the alerts.
 *
 * <p>Discord renders Markdown in both, so every inserted text has Markdown's characters escaped
 * with a backslash (Discord drops a backslash before any punctuation); {@code allowed_mentions:
 * {parse: []}} makes sure no {@code @everyone}, {@code @here}, user or role in a label pings anyone.
 * Limits (Discord's API): {@code content} 2,000 characters, an embed's title 256 and description
 * 4,096, all embeds of a message 6,000 together; each part of an alert is cut to {@link #MAX_PART}
 * plain characters first, so that one alert always fits.
 *
 * <p>A {@code title} template replaces the title in {@code content} (what notifications show; the
 * embed stays titled with the monitor, linking to it), a {@code text} template the list of alerts
 * in the description; both are escaped like the default text, the text cut to the description's
 * limit.
 */
final class DiscordMessage {
  static final int MAX_CONTENT = 2000;
  static final int MAX_TITLE = 256;
  static final int MAX_DESCRIPTION = 4096;
  static final int MAX_PART = 400;
  static final int RED = 0xE01E5A;
  static final int GREEN = 0x2EB67D;
  static final int GREY = 0x9E9EA6;
  private static final String MARKDOWN = "\\*_~`|>#-[]()<@";
  private static final MarkdownAlerts ALERTS = new MarkdownAlerts(MAX_PART, DiscordMessage::escape, "");

  private DiscordMessage() {}

  static ObjectNode of(Notification n) {
    return of(n, ChannelTemplates.NONE);
  }

  static ObjectNode of(Notification n, ChannelTemplates templates) {
    ObjectNode message = JsonNodeFactory.instance.objectNode();
    message.put("content", escape(cut(templates.title(n), MAX_CONTENT / 2)));
    ObjectNode embed = message.putArray("embeds").addObject();
    embed.put("title", escape(cut(n.monitor(), MAX_TITLE / 2)));
    if (isWebUrl(n.link())) {
      embed.put("url", n.link());
    }
    embed.put("description", ALERTS.text(n, templates, MAX_DESCRIPTION));
    embed.put("color", n.test() ? GREY : n.firing().isEmpty() ? GREEN : RED);
    embed.put("timestamp", Instant.ofEpochMilli(n.createdAt()).toString());
    message.putObject("allowed_mentions").putArray("parse");
    return message;
  }

  /** Every Markdown character with a backslash before it. */
  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (MARKDOWN.indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
