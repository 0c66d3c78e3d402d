package io.tocsin.notify.email;

import io.tocsin.config.ServerConfig;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;
import io.tocsin.yaml.Secret;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails each notification to the channel's {@code to} addresses over SMTP (Jakarta Mail): one
 * connection per notification, closed after it. The server comes from the {@code smtp:} block of
 * {@code tocsin.yml}, overridden key by key by the channel (see {@link MailServer}).
 */
public final class EmailNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(EmailNotifier.class);
  static final int MAX_PORT = 65_535;

  /**
   * An email channel's settings. Everything but {@code to} may be null: not set on the channel,
   * so the server's {@code smtp:} setting (or the default) applies.
   *
   * @param to the recipients, each one valid address
   * @param from the sender as written, already checked
   */
  public record Config(List<String> to, String from, String host, Integer port, String username, Secret password,
      Boolean starttls, Boolean tls, ChannelTemplates templates) {
    public Config {
      to = List.copyOf(to);
      password = password == null ? Secret.NONE : password;
      templates = templates == null ? ChannelTemplates.NONE : templates;
    }

    /** Without templates: Tocsin's default message. */
    public Config(List<String> to, String from, String host, Integer port, String username, Secret password,
        Boolean starttls, Boolean tls) {
      this(to, from, host, port, username, password, starttls, tls, ChannelTemplates.NONE);
    }
  }

  private final MailServer server;
  private final InternetAddress from;
  private final InternetAddress[] to;
  private final Session session;
  private final ChannelTemplates templates;
  private final NotifierContext context;

  public static final ChannelType<Config> TYPE = new ChannelType<>("email", ChannelTemplates.with("to", "from", "host", "port", "username", "password", "starttls", "tls"),
      EmailNotifier::parse, EmailNotifier::new);

  public EmailNotifier(Config config, NotifierContext context) {
    this(config, context, null);
  }

  /**
   * @param tlsSockets for tests: decides which certificates to trust (a test's own self-signed
   *     one); null for the JVM's trust store, as in production
   */
  EmailNotifier(Config config, NotifierContext context, SSLSocketFactory tlsSockets) {
    this.context = context;
    this.templates = config.templates();
    this.server = MailServer.resolve(config, context.smtp());
    this.from = from(config, context.smtp());
    List<InternetAddress> recipients = new ArrayList<>();
    for (String address : config.to()) {
      try {
        recipients.add(new InternetAddress(address, true));
      } catch (AddressException e) {
        throw new IllegalArgumentException("invalid address in to: " + e.getMessage()); // parse checked it
      }
    }
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("needs at least one address in to");
    }
    this.to = recipients.toArray(new InternetAddress[0]);
    Duration timeout = Objects.requireNonNullElse(context.requestTimeout(), Duration.ofSeconds(10));
    this.session = Session.getInstance(server.properties(timeout, tlsSockets));
  }

  public static Config parse(ChannelSettings settings) {
    List<String> to = new ArrayList<>();
    if (!settings.has("to")) {
      settings.required("to", "[sre@example.com]");
    } else {
      List<String> items = settings.strings("to");
      for (String item : items) {
        try {
          // One item may list several, comma-separated, as Alertmanager's "to" does.
          InternetAddress[] addresses = InternetAddress.parse(item, true);
          if (addresses.length == 0) {
            throw new AddressException("no address");
          }
          for (InternetAddress address : addresses) {
            address.validate();
            to.add(address.toString());
          }
        } catch (AddressException e) {
          settings.error("to", "has an invalid address \"" + item + "\": " + e.getMessage());
        }
      }
      if (items.isEmpty()) {
        settings.error("to", "must list at least one address");
      }
    }
    String from = null;
    String fromText = settings.string("from", null);
    if (fromText != null) {
      try {
        from = address(fromText).toString();
      } catch (AddressException e) {
        settings.error("from", "is not a valid address: \"" + fromText + "\": " + e.getMessage());
      }
    }
    String host = settings.string("host", null);
    if (host != null && host.isBlank()) {
      settings.error("host", "must not be empty");
    }
    host = host == null ? null : host.strip();
    Integer port = null;
    if (settings.has("port")) {
      port = settings.integer("port", MailServer.SUBMISSION_PORT, 1);
      if (port > MAX_PORT) {
        settings.error("port", "must be at most " + MAX_PORT + ", got " + port);
      }
    }
    String username = settings.has("username") ? settings.string("username", "") : null;
    Secret password = settings.secret("password");
    if (!password.isEmpty() && (username == null || username.isBlank())) {
      settings.error("password", "needs a username on the channel too");
    }
    Boolean starttls = settings.has("starttls") ? settings.bool("starttls", true) : null;
    Boolean tls = settings.has("tls") ? settings.bool("tls", false) : null;
    if (Boolean.TRUE.equals(starttls) && Boolean.TRUE.equals(tls)) {
      settings.error("starttls", "cannot be used with tls: true; tls is TLS from the start (usually port 465), "
          + "starttls upgrades a plain connection (usually port 587)");
    }
    return new Config(to, from, host, port, username, password, starttls, tls, ChannelTemplates.read(settings));
  }

  /** One address, checked the strict way; a display name is allowed: {@code Tocsin <alerts@example.com>}. */
  private static InternetAddress address(String text) throws AddressException {
    InternetAddress address = new InternetAddress(text, true);
    address.validate();
    return address;
  }

  /**
   * The channel's {@code from}, else the server's {@code smtp.from}, else {@code tocsin@<this
   * machine's host name>}: always a real-looking address, but most servers want a configured one.
   */
  private static InternetAddress from(Config config, ServerConfig.Smtp smtp) {
    if (config.from() != null) {
      try {
        return address(config.from());
      } catch (AddressException e) {
        throw new IllegalArgumentException("invalid from: " + e.getMessage()); // parse checked it
      }
    }
    if (smtp != null && smtp.from() != null && !smtp.from().isBlank()) {
      try {
        return address(smtp.from());
      } catch (AddressException e) {
        throw new IllegalArgumentException("smtp.from in tocsin.yml is not a valid address: \"" + smtp.from() + "\": "
            + e.getMessage());
      }
    }
    return DefaultFrom.ADDRESS;
  }

  /** Looked up once: finding the host name may mean a DNS query, and channels are rebuilt on every reload. */
  private static final class DefaultFrom {
    static final InternetAddress ADDRESS = lookUp();

    private static InternetAddress lookUp() {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "localhost";
      }
      try {
        return address("tocsin@" + host);
      } catch (AddressException e) {
        try {
          return address("tocsin@localhost"); // a host name that is no domain, such as one with "_"
        } catch (AddressException impossible) {
          throw new IllegalStateException(impossible);
        }
      }
    }
  }

  InternetAddress from() {
    return from;
  }

  @Override
  public Delivery send(Notification n) {
    MimeMessage message;
    try {
      message = EmailMessage.build(session, from, to, n, context.clock().millis(), templates);
    } catch (MessagingException e) {
      return Delivery.failed("cannot build the mail: " + SmtpFailures.oneLine(e.getMessage()));
    }
    Transport transport = null;
    try {
      transport = session.getTransport("smtp");
      if (server.authenticates()) {
        transport.connect(server.host(), server.port(), server.username(), server.password().reveal());
      } else {
        transport.connect(server.host(), server.port(), null, null);
      }
      transport.sendMessage(message, to);
      String reply = transport instanceof SMTPTransport smtp ? ": " + SmtpFailures.oneLine(smtp.getLastServerResponse()) : "";
      return Delivery.sent("SMTP " + server.address() + ": accepted for " + SmtpFailures.list(to) + reply);
    } catch (MessagingException e) {
      int lastCode = transport instanceof SMTPTransport smtp ? smtp.getLastReturnCode() : 0;
      Delivery delivery = SmtpFailures.delivery(e, server, lastCode);
      if (delivery.isSent()) {
        log.warn("channel \"{}\": some recipients were refused: {}", n.channel(), delivery.detail());
      }
      return delivery;
    } finally {
      close(transport);
    }
  }

  private static void close(Transport transport) {
    if (transport == null) {
      return;
    }
    try {
      transport.close();
    } catch (MessagingException e) {
      // The message was handed over (or not) before this; a failed QUIT changes nothing.
      log.debug("closing the SMTP connection failed: {}", e.toString());
    }
  }
}
