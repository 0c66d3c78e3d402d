package io.tocsin.notify;

/**
 * Text inside the small HTML that Opsgenie and Google Chat cards render: {@code &}, {@code <} and
 * {@code >} become entities, so no tag or entity from an alert survives; and cutting escaped text
 * to a vendor's limit without leaving half an entity behind.
 */
public final class Html {
  private Html() {}

  public static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /**
   * {@code text} escaped, and if that is longer than {@code max}, as many whole characters of it as
   * fit with {@link Messages#CUT} after them: never half an entity or half a surrogate pair.
   */
  public static String escape(String text, int max) {
    String all = escape(text);
    if (all.length() <= max) {
      return all;
    }
    int room = max - Messages.CUT.length();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < text.length(); ) {
      int width = Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length() ? 2 : 1;
      String escaped = escape(text.substring(i, i + width));
      if (sb.length() + escaped.length() > room) {
        break;
      }
      sb.append(escaped);
      i += width;
    }
    return sb.append(Messages.CUT).toString();
  }
}
