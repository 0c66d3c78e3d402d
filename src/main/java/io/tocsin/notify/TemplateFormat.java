package io.tocsin.notify;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.function.UnaryOperator;

/**
 * What a template writes, and so how the values it inserts are escaped. Titles and texts are
 * {@link #PLAIN}: the author writes plain text and the channel escapes the whole rendered text for
 * its format (Slack mrkdwn, Telegram HTML, email HTML), so neither the author's characters nor a
 * label value such as {@code <b>} can change the message's markup. A webhook {@code body} is
 * {@link #JSON}: the author writes the JSON, and every inserted value is escaped as the inside of
 * a JSON string.
 */
public enum TemplateFormat {
  PLAIN(UnaryOperator.identity()),
  JSON(value -> new String(JsonStringEncoder.getInstance().quoteAsString(value)));

  private final UnaryOperator<String> escape;

  TemplateFormat(UnaryOperator<String> escape) {
    this.escape = escape;
  }

  String escape(String value) {
    return escape.apply(value);
  }
}
