package io.tocsin.notify.email;

import static io.tocsin.notify.email.Fixtures.firing;
import static io.tocsin.notify.email.Fixtures.notification;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.config.ServerConfig;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.yaml.Secret;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How sends go, against GreenMail and against servers that are down or silent. */
class EmailNotifierTest {
  private static final Notification N = notification("Redis shard is down", Map.of(),
      List.of(firing(Map.of("node", "n1"), Map.of())));

  @TempDir
  static Path keys;
  private static Path keystore;

  private TestSmtp smtp;

  @BeforeAll
  static void keystore() throws Exception {
    keystore = TestSmtp.useKeystore(keys);
  }

  @AfterEach
  void stop() {
    if (smtp != null) {
      smtp.stop();
    }
  }

  private static EmailNotifier notifier(String channel, ServerConfig.Smtp server) {
    return new EmailNotifier(Fixtures.config(channel), Fixtures.context(server));
  }

  private String plain(String extra) {
    return "{name: sre-email, type: email, to: [sre@example.com], host: 127.0.0.1, port: " + smtp.port()
        + ", starttls: false" + extra + "}";
  }

  @Test
  void send_accepted_isSentWithTheServersReply() {
    smtp = TestSmtp.smtp();

    Delivery delivery = notifier(plain(""), null).send(N);

    assertThat(delivery).isEqualTo(Delivery.sent("SMTP 127.0.0.1:" + smtp.port() + ": accepted for sre@example.com: 250 OK"));
    assertThat(smtp.receivedBy("sre@example.com")).isEqualTo(1);
  }

  @Test
  void send_onlyToOnTheChannel_usesTheSmtpBlockOfTocsinYml() throws Exception {
    smtp = TestSmtp.smtp();
    ServerConfig.Smtp server = new ServerConfig.Smtp("127.0.0.1", smtp.port(), "", Secret.NONE, false, false,
        "Tocsin <alerts@example.com>");

    Delivery delivery = notifier("{name: sre-email, type: email, to: sre@example.com}", server).send(N);

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.SENT);
    assertThat(smtp.getReceivedMessages()[0].getFrom()[0].toString()).isEqualTo("Tocsin <alerts@example.com>");
  }

  @Test
  void send_withLogin_authenticates() {
    smtp = TestSmtp.smtp();
    smtp.setUser("alerts@example.com", "alerts", "s3cret-pw");

    Delivery delivery = notifier(plain(", username: alerts, password: s3cret-pw"), null).send(N);

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.SENT);
    assertThat(smtp.receivedBy("sre@example.com")).isEqualTo(1);
  }

  @Test
  void send_wrongPassword_failsWithoutShowingThePassword() {
    smtp = TestSmtp.smtp();
    smtp.setUser("alerts@example.com", "alerts", "s3cret-pw");

    Delivery delivery = notifier(plain(", username: alerts, password: wrong-pw"), null).send(N);

    assertThat(delivery).isEqualTo(Delivery.failed("SMTP 127.0.0.1:" + smtp.port()
        + ": login as \"alerts\" refused: 535 5.7.8 Authentication credentials invalid"));
    assertThat(delivery.toString()).doesNotContain("wrong-pw");
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void send_loginFromTocsinYml_isUsedForTheSameHost() {
    smtp = TestSmtp.smtp();
    smtp.setUser("alerts@example.com", "alerts", "s3cret-pw");
    String channel = "{name: sre-email, type: email, to: [sre@example.com], port: " + smtp.port() + "}";

    Delivery wrong = notifier(channel,
        new ServerConfig.Smtp("127.0.0.1", 587, "alerts", Secret.of("wrong-pw"), false, false, "")).send(N);
    Delivery right = notifier(channel,
        new ServerConfig.Smtp("127.0.0.1", 587, "alerts", Secret.of("s3cret-pw"), false, false, "")).send(N);

    assertThat(wrong.outcome()).isEqualTo(Delivery.Outcome.FAILED);
    assertThat(right.outcome()).isEqualTo(Delivery.Outcome.SENT);
  }

  @Test
  void send_recipientRefusedWith550_failed() {
    smtp = TestSmtp.smtp();
    smtp.refusals.put("gone@example.com", "550 5.1.1 <gone@example.com>: mailbox unavailable");

    Delivery delivery = notifier(plain("").replace("sre@example.com", "gone@example.com"), null).send(N);

    assertThat(delivery).isEqualTo(Delivery.failed("SMTP 127.0.0.1:" + smtp.port()
        + ": refused gone@example.com: 550 5.1.1 <gone@example.com>: mailbox unavailable"));
  }

  @Test
  void send_recipientRefusedWith450_isRetried() {
    smtp = TestSmtp.smtp();
    smtp.refusals.put("sre@example.com", "450 4.2.1 mailbox busy, try again later");

    Delivery delivery = notifier(plain(""), null).send(N);

    assertThat(delivery).isEqualTo(Delivery.retry("SMTP 127.0.0.1:" + smtp.port()
        + ": refused sre@example.com: 450 4.2.1 mailbox busy, try again later", null));
  }

  @Test
  void send_oneOfTwoRecipientsRefused_isSentToTheOther() {
    smtp = TestSmtp.smtp();
    smtp.refusals.put("gone@example.com", "550 5.1.1 mailbox unavailable");

    Delivery delivery = notifier(plain("").replace("[sre@example.com]", "[gone@example.com, sre@example.com]"), null)
        .send(N);

    // Sending again would mail sre@ twice; the refusal stays in the history's detail.
    assertThat(delivery).isEqualTo(Delivery.sent("SMTP 127.0.0.1:" + smtp.port()
        + ": accepted for sre@example.com; refused gone@example.com: 550 5.1.1 mailbox unavailable"));
    assertThat(smtp.receivedBy("sre@example.com")).isEqualTo(1);
    assertThat(smtp.receivedBy("gone@example.com")).isZero();
  }

  @Test
  void send_serverDown_isRetried() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    String channel = "{name: sre-email, type: email, to: [sre@example.com], host: 127.0.0.1, port: " + port + "}";

    Delivery delivery = notifier(channel, null).send(N);

    assertThat(delivery).isEqualTo(Delivery.retry("SMTP 127.0.0.1:" + port + ": ConnectException: Connection refused",
        null));
  }

  @Test
  void send_serverNeverAnswers_isRetriedAfterTheTimeout() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String channel = "{name: sre-email, type: email, to: [sre@example.com], host: 127.0.0.1, port: "
          + silent.getLocalPort() + "}";
      EmailNotifier notifier = new EmailNotifier(Fixtures.config(channel),
          Fixtures.context(null, Duration.ofMillis(300)));

      long start = System.nanoTime();
      Delivery delivery = notifier.send(N);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(delivery).isEqualTo(Delivery.retry("SMTP 127.0.0.1:" + silent.getLocalPort()
          + ": SocketTimeoutException: Read timed out", null));
      assertThat(took).isLessThan(Duration.ofSeconds(5));
      try (Socket accepted = silent.accept()) {
        assertThat(accepted.isConnected()).isTrue(); // it did connect, and gave up waiting for the greeting
      }
    }
  }

  @Test
  void send_starttlsRequiredButNotOffered_isNotSentInTheClear() {
    // GreenMail has no STARTTLS (greenmail-mail-test/greenmail#135), which makes it the server
    // that a man in the middle would fake: one that does not offer it.
    smtp = TestSmtp.smtp();
    String channel = "{name: sre-email, type: email, to: [sre@example.com], host: 127.0.0.1, port: " + smtp.port()
        + ", starttls: true}";

    Delivery delivery = notifier(channel, null).send(N);

    assertThat(delivery).isEqualTo(Delivery.failed("SMTP 127.0.0.1:" + smtp.port()
        + ": STARTTLS is required but host does not support STARTTLS"));
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void send_starttlsByDefault_isNotSentInTheClear() {
    smtp = TestSmtp.smtp();
    String channel = "{name: sre-email, type: email, to: [sre@example.com], host: 127.0.0.1, port: " + smtp.port() + "}";

    Delivery delivery = notifier(channel, null).send(N);

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.FAILED);
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void send_implicitTls_deliversOverSmtps() throws Exception {
    smtp = TestSmtp.smtps();
    smtp.setUser("alerts@example.com", "alerts", "s3cret-pw");
    String channel = "{name: sre-email, type: email, to: [sre@example.com], host: localhost, port: " + smtp.port()
        + ", tls: true, username: alerts, password: s3cret-pw}";
    SSLSocketFactory trustingTestCertificate = TestSmtp.trusting(keystore);

    Delivery delivery = new EmailNotifier(Fixtures.config(channel), Fixtures.context(null), trustingTestCertificate)
        .send(N);

    assertThat(delivery).isEqualTo(Delivery.sent("SMTP localhost:" + smtp.port()
        + ": accepted for sre@example.com: 250 OK"));
    assertThat(smtp.receivedBy("sre@example.com")).isEqualTo(1);
  }

  @Test
  void send_implicitTlsWithAnUntrustedCertificate_isNotSent() {
    smtp = TestSmtp.smtps();
    String channel = "{name: sre-email, type: email, to: [sre@example.com], host: localhost, port: " + smtp.port()
        + ", tls: true}";

    // The JVM's own trust store, as in production: a self-signed certificate is not trusted.
    Delivery delivery = notifier(channel, null).send(N);

    assertThat(delivery.outcome()).isEqualTo(Delivery.Outcome.RETRY);
    assertThat(delivery.detail()).startsWith("SMTP localhost:" + smtp.port()
        + ": SSLHandshakeException: PKIX path building failed");
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void send_implicitTlsToANameNotInTheCertificate_isNotSent() throws Exception {
    // The certificate is trusted but names only localhost: the same server reached as 127.0.0.1 is refused.
    smtp = TestSmtp.smtps();
    String channel = "{name: sre-email, type: email, to: [sre@example.com], host: 127.0.0.1, port: " + smtp.port()
        + ", tls: true}";

    Delivery delivery = new EmailNotifier(Fixtures.config(channel), Fixtures.context(null), TestSmtp.trusting(keystore))
        .send(N);

    assertThat(delivery).isEqualTo(Delivery.retry("SMTP 127.0.0.1:" + smtp.port()
        + ": SSLHandshakeException: No subject alternative names matching IP address 127.0.0.1 found", null));
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }
}
