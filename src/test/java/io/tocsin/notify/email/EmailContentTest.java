package io.tocsin.notify.email;

import static io.tocsin.notify.email.Fixtures.firing;
import static io.tocsin.notify.email.Fixtures.notification;
import static io.tocsin.notify.email.Fixtures.resolved;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.Alert;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.rules.AlertEvent;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the mails say, as GreenMail received them over SMTP. */
class EmailContentTest {
  private static final Map<String, String> N1 = Map.of("cluster", "c1", "node", "n1");
  private static final Map<String, String> RUNBOOK = Map.of(
      "summary", "Shard n1 of c1 is down",
      "runbook_url", "https://runbooks.example.com/redis?step=1&shard=n1");

  private TestSmtp smtp;

  @BeforeEach
  void start() {
    smtp = TestSmtp.smtp();
  }

  @AfterEach
  void stop() {
    smtp.stop();
  }

  private MimeMessage send(Notification n, String to) throws Exception {
    EmailNotifier notifier = new EmailNotifier(Fixtures.config("{name: sre-email, type: email, to: " + to
        + ", from: 'Tocsin <alerts@example.com>', host: 127.0.0.1, port: " + smtp.port() + ", starttls: false}"),
        Fixtures.context(null));
    Delivery delivery = notifier.send(n);
    assertThat(delivery.outcome()).as(delivery.detail()).isEqualTo(Delivery.Outcome.SENT);
    MimeMessage[] received = smtp.getReceivedMessages();
    assertThat(received).isNotEmpty();
    return received[0];
  }

  private MimeMessage send(Notification n) throws Exception {
    return send(n, "[sre@example.com]");
  }

  private static BodyPart part(MimeMessage m, int index) throws Exception {
    return ((MimeMultipart) m.getContent()).getBodyPart(index);
  }

  private static String text(MimeMessage m) throws Exception {
    return (String) part(m, 0).getContent();
  }

  private static String html(MimeMessage m) throws Exception {
    return (String) part(m, 1).getContent();
  }

  /** SMTP carries lines ending in CRLF; the expectations are written with \n. */
  private static String crlf(String text) {
    return text.replace("\n", "\r\n");
  }

  @Test
  void send_firingAlert_hasTitleAsSubjectAndBothParts() throws Exception {
    MimeMessage m = send(notification("Redis shard is down", Map.of(), List.of(firing(N1, RUNBOOK))),
        "[sre@example.com, 'On Call <oncall@example.com>']");

    assertThat(m.getSubject()).isEqualTo("[FIRING] Redis shard is down {cluster=\"c1\", node=\"n1\"}");
    assertThat(Arrays.stream(m.getFrom()).map(Address::toString)).containsExactly("Tocsin <alerts@example.com>");
    assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Address::toString))
        .containsExactly("sre@example.com", "On Call <oncall@example.com>");
    assertThat(m.getSentDate().toInstant()).isEqualTo(Instant.parse("2026-03-01T12:10:00Z"));
    assertThat(m.getHeader("Auto-Submitted")).containsExactly("auto-generated");
    assertThat(m.getContentType()).startsWith("multipart/alternative;");
    assertThat(part(m, 0).getContentType()).isEqualTo("text/plain; charset=UTF-8");
    assertThat(part(m, 1).getContentType()).isEqualTo("text/html; charset=UTF-8");
    // GreenMail keeps one copy per mailbox: each recipient got the mail.
    assertThat(smtp.receivedBy("sre@example.com")).isEqualTo(1);
    assertThat(smtp.receivedBy("oncall@example.com")).isEqualTo(1);
  }

  @Test
  void send_firingAlert_textPartIsExact() throws Exception {
    MimeMessage m = send(notification("Redis shard is down", Map.of("team", "sre"), List.of(firing(N1, RUNBOOK))));

    assertThat(text(m)).isEqualTo(crlf("""
        [FIRING] Redis shard is down {cluster="c1", node="n1"}

        FIRING {cluster="c1", node="n1"}
          value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC
          summary: Shard n1 of c1 is down
          runbook_url: https://runbooks.example.com/redis?step=1&shard=n1

        Monitor page: http://tocsin.example.com/monitors/redis-shard-is-down
        Monitor labels: {team="sre"}
        """));
  }

  @Test
  void send_firingAlert_htmlPartIsExact() throws Exception {
    MimeMessage m = send(notification("Redis shard is down", Map.of("team", "sre"), List.of(firing(N1, RUNBOOK))));

    assertThat(html(m)).isEqualTo(crlf("""
        <!DOCTYPE html>
        <html>
        <head>
        <meta charset="utf-8">
        <title>[FIRING] Redis shard is down {cluster&#61;&quot;c1&quot;, node&#61;&quot;n1&quot;}</title>
        </head>
        <body style="font-family: Helvetica, Arial, sans-serif; font-size: 14px; color: #222222;">
        <h2 style="margin: 0 0 12px 0; color: #c62828;">[FIRING] Redis shard is down {cluster&#61;&quot;c1&quot;, \
        node&#61;&quot;n1&quot;}</h2>
        <div style="margin: 0 0 12px 0; padding: 4px 12px; border-left: 4px solid #c62828;">
        <p style="margin: 4px 0;"><strong style="color: #c62828;">FIRING</strong> <code>{cluster&#61;&quot;c1&quot;, \
        node&#61;&quot;n1&quot;}</code></p>
        <p style="margin: 4px 0;">value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC</p>
        <p style="margin: 4px 0; white-space: pre-wrap;"><strong>summary:</strong> Shard n1 of c1 is down</p>
        <p style="margin: 4px 0; white-space: pre-wrap;"><strong>runbook_url:</strong> \
        <a href="https://runbooks.example.com/redis?step&#61;1&amp;shard&#61;n1">\
        https://runbooks.example.com/redis?step&#61;1&amp;shard&#61;n1</a></p>
        </div>
        <p><a href="http://tocsin.example.com/monitors/redis-shard-is-down">Open the monitor page</a> &middot; \
        monitor labels <code>{team&#61;&quot;sre&quot;}</code></p>
        </body>
        </html>
        """));
  }

  @Test
  void send_hostileLabelsAndMonitorName_areEscapedInHtml() throws Exception {
    Map<String, String> hostile = Map.of("node", "<script>alert(1)</script>");
    Map<String, String> annotations = Map.of(
        "summary", "<b>bold</b> & \"quoted\"",
        "runbook_url", "javascript:alert(1)");
    MimeMessage m = send(notification("Disk < 10% & falling", Map.of(), List.of(firing(hostile, annotations))));

    // Plain text needs no escaping: it carries the values as they are.
    assertThat(m.getSubject()).isEqualTo("[FIRING] Disk < 10% & falling {node=\"<script>alert(1)</script>\"}");
    assertThat(text(m)).contains(crlf("""
        FIRING {node="<script>alert(1)</script>"}
          value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC
          summary: <b>bold</b> & "quoted"
          runbook_url: javascript:alert(1)
        """));
    String html = html(m);
    assertThat(html).doesNotContain("<script>", "<b>", "href=\"javascript");
    assertThat(html).contains(
        "<title>[FIRING] Disk &lt; 10% &amp; falling {node&#61;&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;}</title>",
        "<strong style=\"color: #c62828;\">FIRING</strong> "
            + "<code>{node&#61;&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;}</code>",
        "<strong>summary:</strong> &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;</p>",
        // not an http(s) URL, so not a link
        "<strong>runbook_url:</strong> javascript:alert(1)</p>");
  }

  @Test
  void send_resolved_saysHowLongItFired() throws Exception {
    MimeMessage m = send(notification("Redis shard is down", Map.of(), List.of(resolved(N1, Map.of()))));

    assertThat(m.getSubject()).isEqualTo("[RESOLVED] Redis shard is down {cluster=\"c1\", node=\"n1\"}");
    assertThat(text(m)).isEqualTo(crlf("""
        [RESOLVED] Redis shard is down {cluster="c1", node="n1"}

        RESOLVED {cluster="c1", node="n1"}
          resolved at 2026-03-01 13:05:00 UTC after firing for 1h5m (value 1)

        Monitor page: http://tocsin.example.com/monitors/redis-shard-is-down
        """));
    assertThat(html(m)).contains(
        "<h2 style=\"margin: 0 0 12px 0; color: #2e7d32;\">[RESOLVED] Redis shard is down",
        "<p style=\"margin: 4px 0;\">resolved at 2026-03-01 13:05:00 UTC after firing for 1h5m (value 1)</p>");
  }

  @Test
  void send_mixedFiringRepeatAndResolved_namesEachState() throws Exception {
    Alert repeat = new Alert(AlertEvent.Type.REPEAT, Map.of("node", "n2"), Map.of(), 0, 1, Fixtures.T0 - 300_000,
        Fixtures.T0, 0, Fixtures.T0 + 3_600_000, "fp-n2", "");
    MimeMessage m = send(notification("Redis shard is down", Map.of(),
        List.of(firing(Map.of("node", "n1"), Map.of()), repeat, resolved(Map.of("node", "n3"), Map.of()))));

    assertThat(m.getSubject()).isEqualTo("[FIRING:2, RESOLVED:1] Redis shard is down");
    assertThat(text(m)).isEqualTo(crlf("""
        [FIRING:2, RESOLVED:1] Redis shard is down

        FIRING {node="n1"}
          value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC

        STILL FIRING {node="n2"}
          value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC

        RESOLVED {node="n3"}
          resolved at 2026-03-01 13:05:00 UTC after firing for 1h5m (value 1)

        Monitor page: http://tocsin.example.com/monitors/redis-shard-is-down
        """));
  }

  @Test
  void send_manyAlerts_listsTwentyAndSaysHowManyMore() throws Exception {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 1; i <= 23; i++) {
      alerts.add(firing(Map.of("node", "n" + i), Map.of()));
    }
    MimeMessage m = send(notification("Redis shard is down", Map.of(), alerts));

    assertThat(m.getSubject()).isEqualTo("[FIRING:23] Redis shard is down");
    String text = text(m);
    assertThat(text.lines().filter(line -> line.startsWith("FIRING {"))).hasSize(20);
    assertThat(text).contains("FIRING {node=\"n20\"}").doesNotContain("{node=\"n21\"}");
    assertThat(text).endsWith(crlf("""
          value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC

        and 3 more

        Monitor page: http://tocsin.example.com/monitors/redis-shard-is-down
        """));
    assertThat(html(m)).contains(crlf("</div>\n<p>and 3 more</p>\n<p><a href="));
  }

  @Test
  void send_testMessage_isClearlyMarked() throws Exception {
    MimeMessage m = send(Fixtures.test());

    assertThat(m.getSubject()).isEqualTo("[TEST] Tocsin test notification");
    assertThat(text(m)).isEqualTo(crlf("""
        [TEST] Tocsin test notification

        This is a test message, sent on request to check this channel. It is not an alert.

        TEST {channel="sre-email"}
          value 1 is above the maximum 0 since 2026-03-01 12:00:00 UTC
          summary: A test message from Tocsin: this channel works.

        Monitor page: http://tocsin.example.com/
        """));
    assertThat(html(m)).contains(
        "<p style=\"padding: 8px 12px; background: #fff4ce; border: 1px solid #e0c060;\"><strong>This is a test message"
            + "</strong>, sent on request to check this channel. It is not an alert.</p>",
        "<h2 style=\"margin: 0 0 12px 0; color: #1565c0;\">[TEST] Tocsin test notification</h2>");
  }

  @Test
  void send_labelWithLineBreak_keepsTheSubjectOnOneLine() throws Exception {
    MimeMessage m = send(notification("Redis shard is down", Map.of(),
        List.of(firing(Map.of("node", "n1\r\nBcc: victim@example.com"), Map.of()))));

    assertThat(m.getSubject()).isEqualTo("[FIRING] Redis shard is down {node=\"n1  Bcc: victim@example.com\"}");
    assertThat(m.getHeader("Bcc")).isNull();
    assertThat(smtp.receivedBy("victim@example.com")).isZero();
  }
}
