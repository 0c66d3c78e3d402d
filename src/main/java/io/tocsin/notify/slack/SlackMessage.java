package io.tocsin.notify.slack;

import com.slack.api.model.Attachment;
import com.slack.api.model.block.ContextBlock;
import com.slack.api.model.block.ContextBlockElement;
import com.slack.api.model.block.LayoutBlock;
import com.slack.api.model.block.SectionBlock;
import com.slack.api.model.block.composition.MarkdownTextObject;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import io.tocsin.rules.AlertEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A notification as a Slack message: the title as a top-level section (and as the {@code text}
 * that push notifications and screen readers use), then an attachment in the state's colour
 * holding one section per alert, "and N more", and the link to the monitor. The colour bar is
 * why the alerts sit in an attachment: Block Kit itself has no colour.
 *
 * @param text the plain fallback, escaped like everything else (Slack parses it for links too)
 */
record SlackMessage(String text, List<LayoutBlock> blocks, List<Attachment> attachments) {
  static final String RED = "#E01E5A";
  static final String GREEN = "#2EB67D";
  /** Test messages: neither alarm nor all-clear. */
  static final String GREY = "#9E9EA6";
  /** Slack rejects a section text longer than this. */
  static final int MAX_SECTION = 3000;
  /** The most the labels, the summary or the description of an alert take of its section. */
  static final int MAX_PART = 800;

  static SlackMessage of(Notification n) {
    return of(n, ChannelTemplates.NONE);
  }

  /** With the channel's templates: its title replaces the title, its text the sections of the alerts. */
  static SlackMessage of(Notification n, ChannelTemplates templates) {
    String title = Mrkdwn.truncate(Mrkdwn.escape(templates.title(n)), MAX_SECTION - 2);
    List<LayoutBlock> details = new ArrayList<>();
    String text = templates.text(n);
    if (text != null) {
      details.add(section(Mrkdwn.truncate(Mrkdwn.escape(text), MAX_SECTION)));
    } else {
      Messages.Listing listing = Messages.Listing.of(n.alerts());
      for (Alert alert : listing.shown()) {
        details.add(section(Mrkdwn.truncate(describe(n, alert), MAX_SECTION)));
      }
      if (listing.more() > 0) {
        details.add(context(Mrkdwn.escape(listing.moreText())));
      }
    }
    String linkText = n.spansMonitors() ? "Open the alerts in Tocsin" : "Open the monitor in Tocsin";
    details.add(context(Mrkdwn.link(n.link(), linkText)));
    Attachment attachment = Attachment.builder().color(colour(n)).fallback(title).blocks(details).build();
    return new SlackMessage(title, List.of(section("*" + title + "*")), List.of(attachment));
  }

  static String colour(Notification n) {
    if (n.test()) {
      return GREY;
    }
    return n.firing().isEmpty() ? GREEN : RED;
  }

  /**
   * One alert: its state and labels, what the value did and since when (or how long it fired),
   * then the summary, description and runbook link from its annotations. Labels and annotations
   * are cut to a share of the section each, so that huge ones cannot push out the value line.
   */
  static String describe(Notification n, Alert alert) {
    StringBuilder sb = new StringBuilder("*").append(state(n, alert)).append('*');
    if (!alert.labels().isEmpty()) {
      sb.append(' ').append(Mrkdwn.truncate(Mrkdwn.escape(Messages.labels(alert.labels())), MAX_PART));
    }
    sb.append('\n').append(Mrkdwn.escape(Messages.describe(n, alert)));
    for (String key : List.of("summary", "description")) {
      String value = alert.annotations().getOrDefault(key, "").strip();
      if (!value.isEmpty()) {
        sb.append('\n').append(Mrkdwn.truncate(Mrkdwn.escape(value), MAX_PART));
      }
    }
    String runbook = alert.annotations().getOrDefault("runbook_url", "").strip();
    if (!runbook.isEmpty()) {
      sb.append('\n').append(Mrkdwn.isWebUrl(runbook) ? Mrkdwn.link(runbook, "Runbook") : "Runbook: " + Mrkdwn.escape(runbook));
    }
    return sb.toString();
  }

  private static String state(Notification n, Alert alert) {
    if (n.test()) {
      return "Test";
    }
    String level = alert.severity().isEmpty() ? "" : " (" + alert.severity() + ")";
    return switch (alert.status()) {
      case REPEAT -> "Still firing" + level;
      case ESCALATED -> "Escalated to " + alert.severity();
      case DEESCALATED -> "De-escalated to " + alert.severity();
      case RESOLVED -> "Resolved";
      default -> "Firing" + level;
    };
  }

  /**
   * Verbatim: Slack then leaves bare URLs, {@code #channel} and {@code @here} in alert text
   * alone; only the links this class writes are links.
   */
  private static MarkdownTextObject mrkdwn(String text) {
    return MarkdownTextObject.builder().text(text).verbatim(true).build();
  }

  private static SectionBlock section(String text) {
    return SectionBlock.builder().text(mrkdwn(text)).build();
  }

  private static ContextBlock context(String text) {
    List<ContextBlockElement> elements = List.of(mrkdwn(text));
    return ContextBlock.builder().elements(elements).build();
  }
}
