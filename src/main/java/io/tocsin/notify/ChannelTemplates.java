package io.tocsin.notify;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel's optional {@code title} and {@code text} templates, with the fallback every channel
 * needs: a template that fails when a message is made gives way to Tocsin's default title or text,
 * with a warning that says why, so a notification is never lost to a template.
 *
 * @param title null when the channel uses its default title
 * @param text null when the channel uses its default body
 */
public record ChannelTemplates(String channel, MessageTemplate title, MessageTemplate text) {
  private static final Logger log = LoggerFactory.getLogger(ChannelTemplates.class);

  public static final ChannelTemplates NONE = new ChannelTemplates("", null, null);

  /** {@code keys} and the template keys, for the {@link ChannelType} of a channel that takes templates. */
  public static Set<String> with(String... keys) {
    Set<String> all = new HashSet<>(Set.of(keys));
    all.add("title");
    all.add("text");
    return all;
  }

  /** Reads {@code title} and {@code text}: plain text, which the channel escapes for its format. */
  public static ChannelTemplates read(ChannelSettings settings) {
    MessageTemplate title = settings.template("title", TemplateFormat.PLAIN);
    MessageTemplate text = settings.template("text", TemplateFormat.PLAIN);
    return title == null && text == null ? NONE : new ChannelTemplates(settings.name(), title, text);
  }

  /**
   * The title as plain text: the rendered template, or Tocsin's default title without one or when
   * it fails.
   */
  public String title(Notification n) {
    return render("title", title, n, () -> Messages.title(n));
  }

  /**
   * The title as plain text: the rendered template, or {@code fallback}, the channel's own default
   * (such as a summary with more than the title), without one or when it fails.
   */
  public String title(Notification n, Supplier<String> fallback) {
    return render("title", title, n, fallback);
  }

  /** The rendered text as plain text; null without a text template or when it fails (the channel's default body then). */
  public String text(Notification n) {
    return render("text", text, n, () -> null);
  }

  private String render(String key, MessageTemplate template, Notification n, Supplier<String> fallback) {
    if (template == null) {
      return fallback.get();
    }
    String why;
    try {
      String rendered = template.render(n);
      if (!rendered.isBlank()) {
        return rendered;
      }
      why = "it rendered nothing";
    } catch (TemplateException | RuntimeException e) {
      why = e.getMessage();
    }
    log.warn("channel \"{}\": the {} template failed for notification {} ({}); sending the default {} instead",
        channel, key, n.id(), why, key);
    return fallback.get();
  }
}
