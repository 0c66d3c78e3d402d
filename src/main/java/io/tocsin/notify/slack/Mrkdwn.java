package io.tocsin.notify.slack;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Slack's {@code mrkdwn}: only {@code &}, {@code <} and {@code >} are control characters (they
 * make links and mentions such as {@code <!channel>}), so escaping those three makes any text
 * inert. Everything from an alert (labels, annotations, the monitor's name) goes through here.
 */
final class Mrkdwn {
  private Mrkdwn() {}

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /**
   * {@code <url|text>} when {@code url} is an absolute http(s) URL; otherwise the escaped URL as
   * plain text, as Slack cannot link a relative path (such as a monitor link when Tocsin's
   * external URL is not set).
   */
  static String link(String url, String text) {
    if (!isWebUrl(url)) {
      return escape(url);
    }
    // A valid URI holds no '<', '>' or '|', which would break the link; '&' must be escaped.
    return "<" + escape(url) + "|" + escape(text) + ">";
  }

  static boolean isWebUrl(String url) {
    try {
      URI uri = new URI(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * Cuts escaped text to at most {@code max} characters without leaving half an entity such
   * as {@code &am} or half a link such as {@code <https://x}, which Slack would show broken.
   */
  static String truncate(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    String cut = text.substring(0, max - 1);
    int amp = cut.lastIndexOf('&');
    if (amp >= 0 && cut.indexOf(';', amp) < 0) {
      cut = cut.substring(0, amp);
    }
    int open = cut.lastIndexOf('<');
    if (open >= 0 && cut.indexOf('>', open) < 0) {
      cut = cut.substring(0, open);
    }
    return cut + "…";
  }
}
