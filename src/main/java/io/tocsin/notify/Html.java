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
    return Messages.escapeWithin(text, max, Html::escape);
  }
}
