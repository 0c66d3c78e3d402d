package io.tocsin.notify.email;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.TemplateFixtures;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EmailTemplatesTest {
  @Test
  void templates_makeTheSubjectAndBothParts_withTheHtmlPartEscaped() throws Exception {
    MimeMessage message = EmailMessage.build(Session.getInstance(new Properties()),
        new InternetAddress("tocsin@example.com"), new InternetAddress[] {new InternetAddress("sre@example.com")},
        TemplateFixtures.notification(), TemplateFixtures.T0, TemplateFixtures.standard());

    String title = "critical: Shard is down on " + TemplateFixtures.HOSTILE;
    assertThat(message.getSubject()).isEqualTo(title);
    MimeMultipart parts = (MimeMultipart) message.getContent();
    assertThat(parts.getBodyPart(0).getContent()).isEqualTo(title + "\n\n" + TemplateFixtures.HOSTILE
        + " is at 0\nback: n2\n\nMonitor page: http://tocsin.example/monitors/shard-is-down\n");
    String html = (String) parts.getBodyPart(1).getContent();
    String escaped = "&lt;b&gt;n1&lt;/b&gt; &amp; *bold* &lt;!channel&gt; &quot;q&quot; &#39;a&#39;";
    assertThat(html).contains("<title>critical: Shard is down on " + escaped + "</title>")
        .contains("<p style=\"margin: 4px 0; white-space: pre-wrap;\">" + escaped + " is at 0&#10;back: n2</p>")
        .doesNotContain("<b>n1</b>").doesNotContain("breaching since");
  }
}
