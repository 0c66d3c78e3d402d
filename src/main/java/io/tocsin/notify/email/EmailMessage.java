package io.tocsin.notify.email;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One notification as a mail: subject {@link Messages#title}, and a multipart/alternative body
 * with the same content as plain text and as HTML. The HTML comes from a Mustache template whose
 * every {@code {{value}}} is HTML-escaped, so label values, annotations and monitor names (which
 * come from telemetry and rule files) can never add markup; only http(s) URLs become links.
 */
final class EmailMessage {
  static final String TEST_NOTE = "This is a test message, sent on request to check this channel. It is not an alert.";
  private static final String FIRING_COLOR = "#c62828";
  private static final String RESOLVED_COLOR = "#2e7d32";
  private static final String TEST_COLOR = "#1565c0";
  /** Annotations shown first, in this order; the others follow by name. */
  private static final List<String> FIRST = List.of("summary", "description");
  private static final Mustache HTML =
      new DefaultMustacheFactory("io/tocsin/notify/email").compile("message.html.mustache");

  private EmailMessage() {}

  static MimeMessage build(Session session, InternetAddress from, InternetAddress[] to, Notification n, long nowMs)
      throws MessagingException {
    return build(session, from, to, n, nowMs, ChannelTemplates.NONE);
  }

  /** With the channel's templates: its title is the subject and heading, its text replaces the list of alerts. */
  static MimeMessage build(Session session, InternetAddress from, InternetAddress[] to, Notification n, long nowMs,
      ChannelTemplates templates) throws MessagingException {
    String title = templates.title(n);
    String custom = templates.text(n);
    MimeMessage message = new MimeMessage(session);
    message.setFrom(from);
    message.setRecipients(Message.RecipientType.TO, to);
    message.setSubject(subject(title), "UTF-8");
    message.setSentDate(new Date(nowMs));
    // RFC 3834: out-of-office and other auto-replies must not answer an automatic message.
    message.setHeader("Auto-Submitted", "auto-generated");
    MimeBodyPart text = new MimeBodyPart();
    text.setText(text(n, title, custom), "UTF-8", "plain");
    MimeBodyPart html = new MimeBodyPart();
    html.setText(html(n, title, custom), "UTF-8", "html");
    // multipart/alternative: the last part is the preferred one, so HTML goes last.
    MimeMultipart body = new MimeMultipart("alternative");
    body.addBodyPart(text);
    body.addBodyPart(html);
    message.setContent(body);
    message.saveChanges();
    return message;
  }

  /**
   * The title on one line: a line break in a label value would otherwise fold into the header
   * (Jakarta Mail keeps it from starting a new header, but the subject would still be split).
   */
  static String subject(Notification n) {
    return subject(Messages.title(n));
  }

  private static String subject(String title) {
    return title.replaceAll("\\p{Cntrl}", " ");
  }

  static String text(Notification n) {
    return text(n, Messages.title(n), null);
  }

  private static String text(Notification n, String title, String custom) {
    StringBuilder sb = new StringBuilder();
    sb.append(title).append("\n\n");
    if (n.test()) {
      sb.append(TEST_NOTE).append("\n\n");
    }
    if (custom != null) {
      return sb.append(custom.strip()).append("\n\nMonitor page: ").append(n.link()).append('\n').toString();
    }
    Messages.Listing listing = Messages.Listing.of(n.alerts());
    for (Alert alert : listing.shown()) {
      sb.append(Messages.state(n, alert));
      if (!alert.labels().isEmpty()) {
        sb.append(' ').append(Messages.labels(alert.labels()));
      }
      sb.append("\n  ").append(Messages.describe(n, alert)).append('\n');
      annotations(alert).forEach((name, value) ->
          sb.append("  ").append(name).append(": ").append(value.strip().replace("\n", "\n    ")).append('\n'));
      sb.append('\n');
    }
    if (listing.more() > 0) {
      sb.append(listing.moreText()).append("\n\n");
    }
    sb.append("Monitor page: ").append(n.link()).append('\n');
    if (!n.monitorLabels().isEmpty()) {
      sb.append("Monitor labels: ").append(Messages.labels(n.monitorLabels())).append('\n');
    }
    return sb.toString();
  }

  static String html(Notification n) {
    return html(n, Messages.title(n), null);
  }

  private static String html(Notification n, String title, String custom) {
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("title", title);
    scope.put("custom", custom == null ? null : custom.strip());
    scope.put("test", n.test());
    scope.put("color", n.test() ? TEST_COLOR : n.firing().isEmpty() ? RESOLVED_COLOR : FIRING_COLOR);
    Messages.Listing listing = Messages.Listing.of(n.alerts());
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (Alert alert : listing.shown()) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("state", Messages.state(n, alert));
      a.put("color", n.test() ? TEST_COLOR : alert.isResolved() ? RESOLVED_COLOR : FIRING_COLOR);
      a.put("labels", alert.labels().isEmpty() ? null : Messages.labels(alert.labels()));
      a.put("description", Messages.describe(n, alert));
      List<Map<String, Object>> annotations = new ArrayList<>();
      annotations(alert).forEach((name, value) -> {
        Map<String, Object> annotation = new LinkedHashMap<>();
        annotation.put("name", name);
        annotation.put("text", value.strip());
        annotation.put("url", webUrl(value.strip()));
        annotations.add(annotation);
      });
      a.put("annotations", annotations);
      alerts.add(a);
    }
    scope.put("alerts", alerts);
    scope.put("more", listing.more() == 0 ? null : listing.moreText());
    scope.put("link", n.link());
    scope.put("monitorLabels", n.monitorLabels().isEmpty() ? null : Messages.labels(n.monitorLabels()));
    StringWriter out = new StringWriter();
    HTML.execute(out, scope);
    return out.toString();
  }

  /** Non-empty annotations: summary, description, then the rest by name. */
  private static Map<String, String> annotations(Alert alert) {
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String name : FIRST) {
      String value = alert.annotations().get(name);
      if (value != null && !value.isBlank()) {
        ordered.put(name, value);
      }
    }
    new TreeMap<>(alert.annotations()).forEach((name, value) -> {
      if (!value.isBlank()) {
        ordered.putIfAbsent(name, value);
      }
    });
    return ordered;
  }

  /** The value when it is a whole http(s) URL, else null: {@code javascript:} and the like stay text. */
  static String webUrl(String value) {
    try {
      URI uri = new URI(value);
      boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
      return web && uri.getHost() != null ? value : null;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
