package io.tocsin.notify.teams;

import static io.tocsin.notify.Messages.cut;
import static io.tocsin.notify.Messages.isWebUrl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import java.util.ArrayList;
import java.util.List;

/**
 * A notification as a Teams message with an Adaptive Card (version 1.4), as a Workflows "post to
 * a channel when a webhook request is received" flow takes it: the title, then per alert its state
 * in the state's colour with its labels, what the value did, summary, description and runbook, and
 * an "Open in Tocsin" button.
 *
 * <p>All text is in {@code RichTextBlock}s of {@code TextRun}s, which Adaptive Cards show as they
 * are: unlike a {@code TextBlock}, a text run is never read as Markdown, and Teams mentions need
 * {@code <at>} entities this card never declares, so no label can format, link or mention anything.
 * Limit: Teams refuses a message over about 28 KB; alerts are added while the JSON stays within
 * {@link #MAX_BYTES}, then "… and N more alerts", and each text is cut to {@link #MAX_PART} first.
 *
 * <p>A {@code title} template replaces the title, a {@code text} template the alerts: one paragraph
 * of text runs per line (a text run's line breaks are not shown alike by every Teams client), a
 * blank line as space before the next paragraph, each line cut to {@link #MAX_PART} and lines
 * added while the card stays within {@link #MAX_BYTES}, then {@value Messages#CUT}.
 */
final class TeamsCard {
  static final int MAX_BYTES = 27_000;
  static final int MAX_PART = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Room kept for the "… and N more alerts" line. */
  private static final int MORE_BYTES = 200;

  private TeamsCard() {}

  static ObjectNode of(Notification n) {
    return of(n, ChannelTemplates.NONE);
  }

  static ObjectNode of(Notification n, ChannelTemplates templates) {
    ObjectNode message = JsonNodeFactory.instance.objectNode().put("type", "message");
    ObjectNode attachment = message.putArray("attachments").addObject()
        .put("contentType", "application/vnd.microsoft.card.adaptive").putNull("contentUrl");
    ObjectNode card = attachment.putObject("content")
        .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
        .put("type", "AdaptiveCard")
        .put("version", "1.4");
    card.putObject("msteams").put("width", "Full");
    ArrayNode body = card.putArray("body");
    paragraph(body, List.of(run(cut(templates.title(n), MAX_PART)).put("weight", "Bolder").put("size", "Medium")
        .put("color", colour(n, n.firing().isEmpty()))));
    if (isWebUrl(n.link())) {
      card.putArray("actions").addObject().put("type", "Action.OpenUrl").put("title", "Open in Tocsin")
          .put("url", n.link());
    }
    int used = size(message) + MORE_BYTES;
    String text = templates.text(n);
    if (text != null) {
      addLines(body, text, used);
      return message;
    }
    int shown = 0;
    for (Alert alert : Messages.Listing.of(n.alerts()).shown()) {
      List<ObjectNode> blocks = alert(n, alert);
      int size = blocks.stream().mapToInt(b -> size(b) + 1).sum();
      if (used + size > MAX_BYTES) {
        break;
      }
      used += size;
      body.addAll(blocks);
      shown++;
    }
    if (shown < n.alerts().size()) {
      paragraph(body, List.of(run(Messages.moreAlerts(n.alerts().size() - shown)).put("isSubtle", true)));
    }
    return message;
  }

  /** The rendered text, one paragraph a line, while the card has room for it. */
  private static void addLines(ArrayNode body, String text, int used) {
    boolean first = true;
    boolean gap = false;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        gap = true;
        continue;
      }
      ObjectNode block = paragraph(List.of(run(cut(line.stripTrailing(), MAX_PART))));
      if (first) {
        block.put("separator", true);
      } else if (gap) {
        block.put("spacing", "Medium");
      }
      int size = size(block) + 1;
      if (used + size > MAX_BYTES) {
        paragraph(body, List.of(run(Messages.CUT).put("isSubtle", true)));
        return;
      }
      used += size;
      body.add(block);
      first = false;
      gap = false;
    }
  }

  private static List<ObjectNode> alert(Notification n, Alert alert) {
    List<ObjectNode> blocks = new ArrayList<>();
    List<ObjectNode> first = new ArrayList<>();
    first.add(run(Messages.state(n, alert)).put("weight", "Bolder").put("color", colour(n, alert.isResolved())));
    if (!alert.labels().isEmpty()) {
      first.add(run(" " + cut(Messages.labels(alert.labels()), MAX_PART)));
    }
    blocks.add(paragraph(first).put("separator", true));
    if (!n.test()) {
      blocks.add(paragraph(List.of(run(Messages.describe(n, alert)))));
    }
    for (String key : List.of("summary", "description")) {
      String value = alert.annotations().getOrDefault(key, "").strip();
      if (!value.isEmpty()) {
        blocks.add(paragraph(List.of(run(cut(value, MAX_PART)))));
      }
    }
    String runbook = alert.annotations().getOrDefault("runbook_url", "").strip();
    if (isWebUrl(runbook) && runbook.length() <= MAX_PART) {
      ObjectNode link = run("Runbook");
      link.putObject("selectAction").put("type", "Action.OpenUrl").put("url", runbook);
      blocks.add(paragraph(List.of(link)));
    }
    return blocks;
  }

  /** Attention (red) while firing, Good (green) when resolved, Default for a test. */
  private static String colour(Notification n, boolean resolved) {
    return n.test() ? "Default" : resolved ? "Good" : "Attention";
  }

  private static ObjectNode run(String text) {
    return JsonNodeFactory.instance.objectNode().put("type", "TextRun").put("text", text);
  }

  private static ObjectNode paragraph(List<ObjectNode> runs) {
    ObjectNode block = JsonNodeFactory.instance.objectNode().put("type", "RichTextBlock");
    block.putArray("inlines").addAll(runs);
    return block;
  }

  private static void paragraph(ArrayNode body, List<ObjectNode> runs) {
    body.add(paragraph(runs));
  }

  /** Bytes of UTF-8 JSON, as Teams measures a message. */
  static int size(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
