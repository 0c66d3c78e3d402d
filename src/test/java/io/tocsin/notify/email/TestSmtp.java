package io.tocsin.notify.email;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.smtp.SmtpManager;
import com.icegreen.greenmail.smtp.SmtpState;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * GreenMail, the real SMTP server the email tests talk to, with two additions through its own
 * extension points: recipients it refuses with a chosen SMTP reply, and a TLS certificate of the
 * test's own (for localhost only, so that host name checking stays on and can be seen to
 * work) that the client trusts.
 */
final class TestSmtp extends GreenMail {
  static final String KEYSTORE_PASSWORD = "changeit";
  private static final String ALIAS = "tocsin-test";

  /** RCPT replies by address, such as {@code 550 5.1.1 mailbox unavailable}; others get 250 OK. */
  final Map<String, String> refusals = new ConcurrentHashMap<>();

  private TestSmtp(ServerSetup setup) {
    super(setup);
  }

  /** Plain SMTP on 127.0.0.1, any free port. */
  static TestSmtp smtp() {
    TestSmtp server = new TestSmtp(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
    server.start();
    return server;
  }

  /** SMTPS (implicit TLS) on 127.0.0.1; needs {@link #useKeystore} first. */
  static TestSmtp smtps() {
    TestSmtp server = new TestSmtp(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort());
    server.start();
    return server;
  }

  int port() {
    AbstractServer server = getSmtp() != null ? getSmtp() : getSmtps();
    return server.getPort();
  }

  /** How many mails the mailbox of {@code email} holds. */
  long receivedBy(String email) {
    return findReceivedMessages(user -> user.getEmail().equals(email), message -> true).count();
  }

  @Override
  protected Map<String, AbstractServer> createServices(ServerSetup[] config, Managers managers) {
    return super.createServices(config, new RefusingManagers(managers, this));
  }

  /** Same mailboxes and users as GreenMail's own managers; only the RCPT check differs. */
  private static final class RefusingManagers extends Managers {
    private final Managers real;
    private final SmtpManager smtp;

    RefusingManagers(Managers real, TestSmtp owner) {
      this.real = real;
      this.smtp = new SmtpManager(real.getImapHostManager(), real.getUserManager()) {
        @Override
        public String checkRecipient(SmtpState state, MailAddress address) {
          return owner.refusals.get(address.getEmail()); // read at RCPT time: set after construction
        }
      };
    }

    @Override
    public SmtpManager getSmtpManager() {
      return smtp;
    }

    @Override
    public UserManager getUserManager() {
      return real.getUserManager();
    }

    @Override
    public ImapHostManager getImapHostManager() {
      return real.getImapHostManager();
    }
  }

  /**
   * Makes a key pair and self-signed certificate for localhost with the JDK's keytool and has
   * GreenMail serve it (its documented {@code greenmail.tls.keystore.file} property). GreenMail
   * reads that once per JVM, so every TLS test uses this one keystore.
   */
  static synchronized Path useKeystore(Path dir) throws IOException, InterruptedException {
    String existing = System.getProperty("greenmail.tls.keystore.file");
    if (existing != null) {
      return Path.of(existing);
    }
    Path keystore = dir.resolve("smtps.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA",
        "-keysize", "2048", "-validity", "7", "-dname", "CN=Tocsin test", "-ext", "SAN=dns:localhost",
        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", KEYSTORE_PASSWORD,
        "-keypass", KEYSTORE_PASSWORD, "-noprompt")).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0 || !Files.exists(keystore)) {
      throw new IOException("keytool failed: " + output);
    }
    System.setProperty("greenmail.tls.keystore.file", keystore.toString());
    System.setProperty("greenmail.tls.keystore.password", KEYSTORE_PASSWORD);
    return keystore;
  }

  /** A client socket factory that trusts exactly the certificate in {@code keystore}. */
  static SSLSocketFactory trusting(Path keystore) throws IOException, GeneralSecurityException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, KEYSTORE_PASSWORD.toCharArray());
    }
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry(ALIAS, keys.getCertificate(ALIAS));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context.getSocketFactory();
  }
}
