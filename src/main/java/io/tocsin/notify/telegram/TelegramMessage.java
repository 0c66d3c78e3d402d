package io.tocsin.notify.telegram;

import static io.tocsin.notify.telegram.TelegramHtml.attribute;
import static io.tocsin.notify.telegram.TelegramHtml.text;

import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;

/**
 * The text of a Telegram message in HTML parse mode, for example:
 *
 * <pre>{@code
 * <b>[FIRING:2] Redis shard is down</b>
 *
 * <b>FIRING</b> <code>{node="n1"}</code>
 * value 0 is below the minimum 1 since 2026-03-01 12:00:00 UTC
 * Shard n1 is down
 * <i>It stopped answering pings.</i>
 * <a href="https://runbooks.example/redis">Runbook</a>
 *
 * <b>RESOLVED</b> <code>{node="n2"}</code>
 * resolved at 2026-03-01 12:10:00 UTC after firing for 5m (value 1)
 *
 * <a href="http://tocsin.example/monitors/redis-shard-is-down">Open in Tocsin</a>
 * }</pre>
 *
 * <p>Only tags Telegram supports; every inserted string is escaped (labels and annotations come
 * from metrics and users). Long messages are cut to Telegram's limit, keeping the link.
 */
final class TelegramMessage {
  /** Telegram's limit for a message's text, after entity parsing. */
  static final int MAX_LENGTH = 4096;
  static final String TRUNCATED = "… (truncated)";

  private TelegramMessage() {}

  static String format(Notification n) {
    return format(n, ChannelTemplates.NONE);
  }

  /** With the channel's templates: its title replaces the title, its text the list of alerts. */
  static String format(Notification n, ChannelTemplates templates) {
    String footer = footer(n);
    // The link is what a reader needs most, so it survives a cut of the body (after a line
    // break). The lower bound only matters for a link shown as very long text: the final cut
    // then takes what is over.
    int bodyBudget = Math.max(MAX_LENGTH / 2, MAX_LENGTH - TelegramHtml.visibleLength(footer) - 1);
    String body = TelegramHtml.truncate(body(n, templates), bodyBudget, TRUNCATED);
    String message = (body.endsWith("\n") ? body : body + "\n") + footer;
    return TelegramHtml.truncate(message.stripTrailing(), MAX_LENGTH, TRUNCATED);
  }

  private static String body(Notification n, ChannelTemplates templates) {
    StringBuilder sb = new StringBuilder();
    sb.append("<b>").append(text(templates.title(n))).append("</b>\n");
    if (n.test()) {
      sb.append("<i>A test message sent on request: nothing is wrong.</i>\n");
    }
    String custom = templates.text(n);
    if (custom != null) {
      return sb.append(text(custom)).append('\n').toString();
    }
    if (!n.monitorLabels().isEmpty()) {
      sb.append("Monitor labels: <code>").append(text(Messages.labels(n.monitorLabels()))).append("</code>\n");
    }
    Messages.Listing listing = Messages.Listing.of(n.alerts());
    for (Alert alert : listing.shown()) {
      sb.append('\n');
      alert(sb, n, alert);
    }
    if (listing.more() > 0) {
      sb.append('\n').append(text(listing.moreText())).append('\n');
    }
    return sb.toString();
  }

  private static void alert(StringBuilder sb, Notification n, Alert alert) {
    sb.append("<b>").append(Messages.state(n, alert)).append("</b>");
    if (!alert.labels().isEmpty()) {
      sb.append(" <code>").append(text(Messages.labels(alert.labels()))).append("</code>");
    }
    sb.append('\n');
    if (!n.test()) {
      // A test alert's value and threshold are made up; describing them would only confuse.
      sb.append(text(Messages.describe(n, alert))).append('\n');
    }
    String summary = alert.annotations().getOrDefault("summary", "");
    if (!summary.isBlank()) {
      sb.append(text(summary.strip())).append('\n');
    }
    String description = alert.annotations().getOrDefault("description", "");
    if (!description.isBlank()) {
      sb.append("<i>").append(text(description.strip())).append("</i>\n");
    }
    String runbook = alert.annotations().getOrDefault("runbook_url", "").strip();
    if (!runbook.isEmpty()) {
      sb.append(link(runbook, "Runbook")).append('\n');
    }
  }

  private static String footer(Notification n) {
    return n.link() == null || n.link().isBlank() ? "" : "\n" + link(n.link(), "Open in Tocsin");
  }

  /**
   * A link when it is an absolute http(s) URL; anything else (such as a bare page path when
   * {@code external_url} is not set) is no use as a link in a chat and is shown as text.
   */
  private static String link(String url, String label) {
    if (url.startsWith("http://") || url.startsWith("https://")) {
      return "<a href=\"" + attribute(url) + "\">" + text(label) + "</a>";
    }
    return text(label + ": " + url);
  }
}
