package io.tocsin.notify.googlechat;

import static io.tocsin.notify.Messages.cut;
import static io.tocsin.notify.Messages.isWebUrl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Html;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A notification as a Google Chat card (cards v2) posted to a space's webhook: the title as the
 * card's header, the alerts in one text paragraph, and a button to the monitor.
 *
 * <p><b>Threads.</b> Every message of a monitor carries the same {@code thread.threadKey}: the
 * {@link AlertKeys key} of the monitor's id with no group labels. A message lists several groups
 * and a message sits in one thread, so the thread is the monitor's: a resolution always lands in
 * the thread its firing message started, after a restart too, because the key is derived, not
 * remembered. (The webhook URL gets {@code messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD},
 * without which Chat ignores the key.)
 *
 * <p>Card text is a small HTML subset, so every inserted text is HTML-escaped; the card has no
 * plain {@code text}, whose {@code <users/all>} syntax would mention the whole space. Limit: the
 * paragraph stays within 4,096 characters, each part of an alert cut to {@link #MAX_PART} escaped
 * characters so that one alert always fits.
 *
 * <p>A {@code title} template replaces the card's header title, a {@code text} template the
 * paragraph of alerts: HTML-escaped like the default text, each line break a {@code <br>}.
 */
final class GoogleChatMessage {
  static final int MAX_TEXT = 4096;
  static final int MAX_PART = 800;
  static final int MAX_HEADER = 200;
  static final String RED = "#E01E5A";
  static final String GREEN = "#2EB67D";
  static final String GREY = "#9E9EA6";

  private GoogleChatMessage() {}

  static String threadKey(Notification n) {
    return AlertKeys.of(n.monitorId(), Map.of());
  }

  static ObjectNode of(Notification n) {
    return of(n, ChannelTemplates.NONE);
  }

  static ObjectNode of(Notification n, ChannelTemplates templates) {
    ObjectNode message = JsonNodeFactory.instance.objectNode();
    ObjectNode card = message.putArray("cardsV2").addObject().put("cardId", "tocsin").putObject("card");
    card.putObject("header").put("title", cut(templates.title(n), MAX_HEADER)).put("subtitle", "Tocsin");
    ArrayNode widgets = card.putArray("sections").addObject().putArray("widgets");
    String text = templates.text(n);
    if (text != null) {
      widgets.addObject().putObject("textParagraph").put("text",
          Messages.escapeWithin(text, MAX_TEXT, GoogleChatMessage::lines));
    } else {
      List<String> blocks = new ArrayList<>();
      Messages.Listing.of(n.alerts()).shown().forEach(alert -> blocks.add(block(n, alert)));
      widgets.addObject().putObject("textParagraph").put("text", Messages.fit(blocks, n.alerts().size(), "<br><br>",
          MAX_TEXT, left -> Html.escape(Messages.moreAlerts(left))));
    }
    if (isWebUrl(n.link())) {
      widgets.addObject().putObject("buttonList").putArray("buttons").addObject().put("text", "Open in Tocsin")
          .putObject("onClick").putObject("openLink").put("url", n.link());
    }
    message.putObject("thread").put("threadKey", threadKey(n));
    return message;
  }

  private static String block(Notification n, Alert alert) {
    String colour = n.test() ? GREY : alert.isResolved() ? GREEN : RED;
    StringBuilder sb = new StringBuilder("<b><font color=\"").append(colour).append("\">")
        .append(Messages.state(n, alert)).append("</font></b>");
    if (!alert.labels().isEmpty()) {
      sb.append(' ').append(Html.escape(Messages.labels(alert.labels()), MAX_PART));
    }
    if (!n.test()) {
      sb.append("<br>").append(Html.escape(Messages.describe(n, alert), MAX_PART));
    }
    for (String key : List.of("summary", "description")) {
      String value = alert.annotations().getOrDefault(key, "").strip();
      if (!value.isEmpty()) {
        sb.append("<br>").append(Html.escape(value, MAX_PART));
      }
    }
    String runbook = alert.annotations().getOrDefault("runbook_url", "").strip();
    if (isWebUrl(runbook) && runbook.length() <= MAX_PART / 2) {
      sb.append("<br><a href=\"").append(Html.escape(runbook).replace("\"", "&quot;")).append("\">Runbook</a>");
    }
    return sb.toString();
  }

  /** Plain text as card text: HTML-escaped, each line break a {@code <br>}. */
  private static String lines(String text) {
    return Html.escape(text).replace("\n", "<br>");
  }
}
