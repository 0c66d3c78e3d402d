package io.tocsin.notify.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.Alert;
import io.tocsin.notify.Notification;
import io.tocsin.rules.AlertEvent;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Notifications to send, and an independent check that a text is HTML Telegram accepts. */
final class Fixtures {
  static final String TOKEN = "987654321:AAF-test_Token0fTocsinTelegramTests";
  static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  static final String LINK = "http://tocsin.example/monitors/redis-shard-is-down";

  private static final Set<String> TELEGRAM_TAGS = Set.of("b", "i", "a", "code", "pre");

  private Fixtures() {}

  /** Went below the minimum 1 at T0 - 5m, fired at T0. */
  static Alert firing(Map<String, String> labels, Map<String, String> annotations) {
    return new Alert(AlertEvent.Type.FIRING, labels, annotations, 0, 1, T0 - minutes(5), T0, 0, T0,
        "fp-" + labels, "");
  }

  /** Fired at T0 - 5m, resolved at T0. */
  static Alert resolved(Map<String, String> labels) {
    return new Alert(AlertEvent.Type.RESOLVED, labels, Map.of(), 1, 1, T0 - minutes(10), T0 - minutes(5), T0, T0,
        "fp-" + labels, "");
  }

  static Notification notification(List<Alert> alerts) {
    return new Notification("n-1", "ops-telegram", "redis-shard-is-down", "Redis shard is down", Map.of(), "",
        LINK, alerts, T0, false);
  }

  private static long minutes(long m) {
    return Duration.ofMinutes(m).toMillis();
  }

  /**
   * Parses {@code html} as Telegram would and returns its text after entity parsing. XML is
   * stricter than Telegram's parser, so passing here means: every tag balanced, every {@code &}
   * and {@code <} escaped. On top, only Telegram's tags and attributes, and only its entities.
   */
  static String telegramText(String html) {
    assertThat(html).doesNotContain("&apos;").doesNotContain("&#");
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Document doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader("<m>" + html + "</m>")));
      NodeList all = doc.getDocumentElement().getElementsByTagName("*");
      for (int i = 0; i < all.getLength(); i++) {
        Element e = (Element) all.item(i);
        assertThat(TELEGRAM_TAGS).as("tag <%s>", e.getTagName()).contains(e.getTagName());
        int attributes = e.getAttributes().getLength();
        if (e.getTagName().equals("a")) {
          assertThat(attributes).isEqualTo(1);
          assertThat(e.getAttribute("href")).startsWith("http");
        } else {
          assertThat(attributes).as("attributes of <%s>", e.getTagName()).isZero();
        }
      }
      return doc.getDocumentElement().getTextContent();
    } catch (Exception e) {
      throw new AssertionError("not valid Telegram HTML: " + e.getMessage() + "\n" + html, e);
    }
  }
}
