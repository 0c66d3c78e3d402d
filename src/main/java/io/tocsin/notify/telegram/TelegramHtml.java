package io.tocsin.notify.telegram;

import java.util.ArrayList;
import java.util.List;

/**
 * The bits of Telegram's HTML parse mode this channel needs: escaping, and measuring and cutting
 * text the way Telegram counts it. Telegram limits a message to 4096 characters <em>after</em>
 * entity parsing, so tags do not count and {@code &amp;} counts as one; a message cut in the
 * middle of a tag or an entity, or with a tag left open, is rejected as a whole ("can't parse
 * entities"). Lengths are in UTF-16 units, which is how Telegram measures entities and never
 * less than the count of code points.
 *
 * <p>It only reads HTML that this package writes: tags without {@code >} inside (attribute
 * values are escaped) and entities that end in {@code ;}.
 */
final class TelegramHtml {
  private TelegramHtml() {}

  /** Text between tags: Telegram needs {@code &}, {@code <} and {@code >} escaped. */
  static String text(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** An attribute value in double quotes: as text, and {@code "} too. */
  static String attribute(String s) {
    return text(s).replace("\"", "&quot;");
  }

  /** How many characters Telegram counts once tags are removed and entities decoded. */
  static int visibleLength(String html) {
    int length = 0;
    for (int i = 0; i < html.length(); ) {
      Token t = Token.at(html, i);
      length += t.visible;
      i = t.end;
    }
    return length;
  }

  /**
   * {@code html} itself when it is within {@code max} visible characters; otherwise as much of
   * it as fits with {@code marker} (plain text) on a line of its own after it. The cut is made
   * between tokens, preferably at a blank line or at least a line break when that keeps at
   * least half of what fits, and the tags open at the cut are closed, innermost first.
   */
  static String truncate(String html, int max, String marker) {
    if (visibleLength(html) <= max) {
      return html;
    }
    String tail = "\n" + text(marker);
    int budget = Math.max(0, max - visibleLength(tail));
    List<String> open = List.of(); // replaced (never changed) on each tag, so cuts can share it
    Cut safe = new Cut(0, 0, open);
    Cut line = null;
    Cut blank = null;
    int visible = 0;
    boolean afterNewline = false;
    for (int i = 0; i < html.length(); ) {
      Token t = Token.at(html, i);
      if (t.opening != null) {
        List<String> next = new ArrayList<>(open);
        next.add(t.opening);
        open = List.copyOf(next);
        // Not a cut point: cutting here would leave an empty element behind.
      } else if (t.closing) {
        open = open.isEmpty() ? open : List.copyOf(open.subList(0, open.size() - 1));
        safe = new Cut(t.end, visible, open);
      } else {
        if (visible + t.visible > budget) {
          break;
        }
        visible += t.visible;
        safe = new Cut(t.end, visible, open);
        boolean newline = t.visible == 1 && html.charAt(i) == '\n';
        if (newline) {
          line = safe;
          if (afterNewline) {
            blank = safe;
          }
        }
        afterNewline = newline;
      }
      i = t.end;
    }
    Cut cut = safe;
    if (blank != null && blank.visible >= budget / 2) {
      cut = blank;
    } else if (line != null && line.visible >= budget / 2) {
      cut = line;
    }
    StringBuilder sb = new StringBuilder(html.substring(0, cut.end));
    for (int k = cut.open.size() - 1; k >= 0; k--) {
      sb.append("</").append(cut.open.get(k)).append('>');
    }
    // A cut at a line break (or at the start) needs no line break of its own.
    sb.append(sb.length() == 0 || sb.charAt(sb.length() - 1) == '\n' ? tail.substring(1) : tail);
    return sb.toString();
  }

  /** Where a message may be cut, how much of it is visible up to there, and the tags open there. */
  private record Cut(int end, int visible, List<String> open) {}

  /**
   * One tag, entity, or character (a surrogate pair is one). {@code opening} is the tag name of an
   * opening tag, else null.
   */
  private record Token(int end, int visible, String opening, boolean closing) {
    static Token at(String html, int i) {
      char c = html.charAt(i);
      if (c == '<') {
        int close = html.indexOf('>', i);
        if (close > 0) {
          if (html.charAt(i + 1) == '/') {
            return new Token(close + 1, 0, null, true);
          }
          int nameEnd = i + 1;
          while (nameEnd < close && Character.isLetterOrDigit(html.charAt(nameEnd))) {
            nameEnd++;
          }
          return new Token(close + 1, 0, html.substring(i + 1, nameEnd), false);
        }
      } else if (c == '&') {
        int semi = html.indexOf(';', i);
        if (semi > 0 && semi - i <= 10) {
          return new Token(semi + 1, entityLength(html.substring(i + 1, semi)), null, false);
        }
      } else if (Character.isHighSurrogate(c) && i + 1 < html.length() && Character.isLowSurrogate(html.charAt(i + 1))) {
        return new Token(i + 2, 2, null, false);
      }
      return new Token(i + 1, 1, null, false);
    }

    /** A numeric entity may stand for a character outside the BMP, which counts as two. */
    private static int entityLength(String name) {
      if (name.startsWith("#")) {
        try {
          int cp = name.startsWith("#x") || name.startsWith("#X")
              ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
          return Character.isValidCodePoint(cp) ? Character.charCount(cp) : 1;
        } catch (NumberFormatException e) {
          return 1;
        }
      }
      return 1;
    }
  }
}
