package io.tocsin.notify;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One user template of a channel ({@code title}, {@code text} or {@code body}): Mustache over
 * {@link TemplateModel}, compiled once when the rule files are read, with every inserted value
 * escaped for the channel's {@link TemplateFormat}. {@code {{{x}}}} inserts a value as it is, for
 * the rare author who needs that.
 *
 * <p>Immutable and thread-safe.
 */
public final class MessageTemplate {
  /** mustache.java ends its messages with {@code @[name:line]} or {@code in name:line}. */
  private static final Pattern POSITION = Pattern.compile("\\s*@\\[[^:\\]]*:(\\d+)]|\\s+in template:(\\d+)");

  private final String source;
  private final TemplateFormat format;
  private final Mustache mustache;

  private MessageTemplate(String source, TemplateFormat format, Mustache mustache) {
    this.source = source;
    this.format = format;
    this.mustache = mustache;
  }

  /**
   * Compiles {@code source}; {@link TemplateException} with the line (from 1) of the problem and
   * what it is when it is not a valid template.
   */
  public static MessageTemplate compile(String source, TemplateFormat format) throws TemplateException {
    Objects.requireNonNull(source, "source");
    try {
      return new MessageTemplate(source, format, factory(format).compile(new StringReader(source), "template"));
    } catch (MustacheException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      Matcher at = POSITION.matcher(message);
      int line = at.find() ? Integer.parseInt(at.group(1) != null ? at.group(1) : at.group(2)) : 1;
      // The library names the closing tag first: "firing != resolved" is an unclosed firing.
      throw new TemplateException(line, "invalid template: " + POSITION.matcher(message).replaceAll("").strip());
    }
  }

  /** Renders for {@code notification}; a failure is a {@link TemplateException}, for the caller to fall back. */
  public String render(Notification notification) throws TemplateException {
    return render(TemplateModel.of(notification));
  }

  String render(Map<String, Object> scope) throws TemplateException {
    StringWriter out = new StringWriter();
    try {
      mustache.execute(out, scope);
    } catch (MustacheException | UncheckedIOException e) {
      throw new TemplateException(1, "template failed: " + e.getMessage());
    }
    return out.toString();
  }

  public String source() {
    return source;
  }

  public TemplateFormat format() {
    return format;
  }

  private static DefaultMustacheFactory factory(TemplateFormat format) {
    return new DefaultMustacheFactory() {
      @Override
      public void encode(String value, Writer writer) {
        try {
          writer.write(format.escape(value));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageTemplate t && t.source.equals(source) && t.format == format;
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, format);
  }

  @Override
  public String toString() {
    return "MessageTemplate[" + format + ": " + source + "]";
  }
}
