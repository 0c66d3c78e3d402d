package io.tocsin.notify.email;

import io.tocsin.config.ServerConfig;
import io.tocsin.yaml.Secret;
import java.time.Duration;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;

/**
 * The SMTP server one email channel sends through: the channel's own settings over the server's
 * {@code smtp:} block.
 *
 * <p>A channel that names a different {@code host} describes a server of its own, so nothing of
 * {@code smtp:} but {@code from} applies to it: the server's password must never be sent to a
 * host that a rule file chose. Credentials go as a pair: a channel with a {@code username} uses
 * its own {@code password}, or none. A port is only taken over with the TLS mode it was chosen
 * for, since 587 with implicit TLS (or 465 without) cannot work.
 *
 * @param starttls upgrade the plain connection with STARTTLS, and refuse to send without it
 * @param tls implicit TLS from the first byte (SMTPS, usually port 465)
 */
record MailServer(String host, int port, String username, Secret password, boolean starttls, boolean tls) {
  static final int SMTPS_PORT = 465;
  static final int SUBMISSION_PORT = 587;

  static MailServer resolve(EmailNotifier.Config channel, ServerConfig.Smtp smtp) {
    ServerConfig.Smtp server = smtp == null || smtp.host() == null || smtp.host().isBlank() ? null : smtp;
    boolean ownServer = channel.host() != null && (server == null || !channel.host().equalsIgnoreCase(server.host()));
    ServerConfig.Smtp base = ownServer ? null : server;
    if (channel.host() == null && base == null) {
      throw new IllegalArgumentException("needs an SMTP server: set smtp.host in tocsin.yml or host on the channel");
    }
    String host = channel.host() != null ? channel.host() : base.host();
    boolean tls = channel.tls() != null ? channel.tls() : base != null && base.tls();
    // Without TLS of either kind, STARTTLS is the default: mail in the clear must be asked for.
    boolean starttls = !tls && (channel.starttls() != null ? channel.starttls() : base == null || base.starttls());
    int port;
    if (channel.port() != null) {
      port = channel.port();
    } else if (base != null && base.tls() == tls) {
      port = base.port();
    } else {
      port = tls ? SMTPS_PORT : SUBMISSION_PORT;
    }
    String username = "";
    Secret password = Secret.NONE;
    if (channel.username() != null) {
      username = channel.username();
      password = channel.password();
    } else if (base != null && base.username() != null && !base.username().isBlank()) {
      username = base.username();
      password = base.password() == null ? Secret.NONE : base.password();
    }
    return new MailServer(host, port, username, password, starttls, tls);
  }

  boolean authenticates() {
    return !username.isEmpty();
  }

  /** {@code host:port}, for delivery details. */
  String address() {
    return host + ":" + port;
  }

  /**
   * The Jakarta Mail session settings. Certificates are checked against the JVM's trust store
   * and the host name, as for HTTPS; {@code tlsSockets}, when not null, replaces only the trust
   * decision (tests trust their own self-signed certificate that way).
   *
   * @param timeout applies to connecting and to every read and write, not to the send as a whole
   */
  Properties properties(Duration timeout, SSLSocketFactory tlsSockets) {
    Properties p = new Properties();
    String millis = Long.toString(Math.max(1, timeout.toMillis()));
    p.setProperty("mail.transport.protocol", "smtp");
    p.setProperty("mail.smtp.host", host);
    p.setProperty("mail.smtp.port", Integer.toString(port));
    p.setProperty("mail.smtp.connectiontimeout", millis);
    p.setProperty("mail.smtp.timeout", millis);
    p.setProperty("mail.smtp.writetimeout", millis);
    p.setProperty("mail.smtp.auth", Boolean.toString(authenticates()));
    p.setProperty("mail.smtp.starttls.enable", Boolean.toString(starttls));
    p.setProperty("mail.smtp.starttls.required", Boolean.toString(starttls));
    p.setProperty("mail.smtp.ssl.enable", Boolean.toString(tls));
    p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
    // One bad address must not keep the alert from everyone else; see SmtpFailures.
    p.setProperty("mail.smtp.sendpartial", "true");
    p.setProperty("mail.debug.auth", "false");
    if (tlsSockets != null) {
      p.put("mail.smtp.ssl.socketFactory", tlsSockets);
    }
    // A connection that failed with the chosen factory must not be tried again with another.
    p.setProperty("mail.smtp.socketFactory.fallback", "false");
    return p;
  }
}
