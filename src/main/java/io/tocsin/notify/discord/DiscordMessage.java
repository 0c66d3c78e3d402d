package io.tocsin.notify.discord;

import static io.tocsin.notify.Messages.cut;
import static io.tocsin.notify.Messages.isWebUrl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
    String text = templates.text(n);
    if (text != null) {
      embed.put("description", Messages.escapeWithin(text, MAX_DESCRIPTION, DiscordMessage::escape));
    } else {
      List<String> blocks = new ArrayList<>();
      Messages.Listing.of(n.alerts()).shown().forEach(alert -> blocks.add(block(n, alert)));
      embed.put("description", Messages.fit(blocks, n.alerts().size(), "\n\n", MAX_DESCRIPTION,
          left -> escape(Messages.moreAlerts(left))));
    }
    embed.put("color", n.test() ? GREY : n.firing().isEmpty() ? GREEN : RED);
    embed.put("timestamp", Instant.ofEpochMilli(n.createdAt()).toString());
    message.putObject("allowed_mentions").putArray("parse");
    return message;
  }

  /** One alert: its state in bold with its labels, what the value did, summary, description, runbook. */
  private static String block(Notification n, Alert alert) {
    StringBuilder sb = new StringBuilder("**").append(Messages.state(n, alert)).append("**");
    if (!alert.labels().isEmpty()) {
      sb.append(' ').append(escape(cut(Messages.labels(alert.labels()), MAX_PART)));
    }
    if (!n.test()) {
      sb.append('\n').append(escape(Messages.describe(n, alert)));
    }
    for (String key : List.of("summary", "description")) {
      String value = alert.annotations().getOrDefault(key, "").strip();
      if (!value.isEmpty()) {
        sb.append('\n').append(escape(cut(value, MAX_PART)));
      }
    }
    String runbook = alert.annotations().getOrDefault("runbook_url", "").strip();
    if (isWebUrl(runbook) && runbook.length() <= MAX_PART) {
      // Parentheses and spaces would end the link target: percent-encoded, the URL stays the same.
      sb.append("\n[Runbook](").append(runbook.replace("(", "%28").replace(")", "%29").replace(" ", "%20"))
          .append(')');
    }
    return sb.toString();
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
