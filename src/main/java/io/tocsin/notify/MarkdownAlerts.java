package io.tocsin.notify;

import static io.tocsin.notify.Messages.cut;
import static io.tocsin.notify.Messages.isWebUrl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The list of alerts of a chat that speaks Markdown (Discord, Mattermost): per alert its state in
 * bold with its labels, what the value did, summary, description and a runbook link; or, with a
 * {@code text} template, that text. Each chat brings its own escape (what its Markdown and its
 * mentions need), how long one part of an alert may be, and what a link target must percent-encode
 * beyond parentheses and spaces.
 */
public final class MarkdownAlerts {
  private final int maxPart;
  private final UnaryOperator<String> escape;
  private final String linkUnsafe;

  /**
   * @param maxPart each part of an alert (labels, summary, description) is cut to this many plain
   *     characters, and a longer runbook URL left out, so that one alert always fits
   * @param escape escapes each character on its own (see {@link Messages#escapeWithin})
   * @param linkUnsafe characters besides {@code ( ) space} that would end a link target in this chat
   */
  public MarkdownAlerts(int maxPart, UnaryOperator<String> escape, String linkUnsafe) {
    this.maxPart = maxPart;
    this.escape = escape;
    this.linkUnsafe = linkUnsafe;
  }

  /** The {@code text} template's result or else the listed alerts, escaped, at most {@code max} characters. */
  public String text(Notification n, ChannelTemplates templates, int max) {
    String text = templates.text(n);
    if (text != null) {
      return Messages.escapeWithin(text, max, escape);
    }
    List<String> blocks = new ArrayList<>();
    Messages.Listing.of(n.alerts()).shown().forEach(alert -> blocks.add(block(n, alert)));
    return Messages.fit(blocks, n.alerts().size(), "\n\n", max, left -> escape.apply(Messages.moreAlerts(left)));
  }

  private String block(Notification n, Alert alert) {
    StringBuilder sb = new StringBuilder("**").append(Messages.state(n, alert)).append("**");
    if (!alert.labels().isEmpty()) {
      sb.append(' ').append(escape.apply(cut(Messages.labels(alert.labels()), maxPart)));
    }
    if (!n.test()) {
      sb.append('\n').append(escape.apply(Messages.describe(n, alert)));
    }
    for (String key : List.of("summary", "description")) {
      String value = alert.annotations().getOrDefault(key, "").strip();
      if (!value.isEmpty()) {
        sb.append('\n').append(escape.apply(cut(value, maxPart)));
      }
    }
    String runbook = alert.annotations().getOrDefault("runbook_url", "").strip();
    if (isWebUrl(runbook) && runbook.length() <= maxPart) {
      sb.append("\n[Runbook](").append(linkTarget(runbook)).append(')');
    }
    return sb.toString();
  }

  /** The URL with what would end a link target percent-encoded: still the same URL. */
  private String linkTarget(String url) {
    StringBuilder sb = new StringBuilder(url.length() + 8);
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '(' || c == ')' || c == ' ' || linkUnsafe.indexOf(c) >= 0) {
        sb.append('%').append(String.format("%02X", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
