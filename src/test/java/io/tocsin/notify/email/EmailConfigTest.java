package io.tocsin.notify.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.tocsin.config.ServerConfig;
import io.tocsin.yaml.Secret;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading an email channel's settings, and how they combine with the server's smtp: block. */
class EmailConfigTest {
  private static final ServerConfig.Smtp SERVER = new ServerConfig.Smtp("smtp.example.com", 587, "alerts",
      Secret.of("server-pw"), true, false, "Tocsin <alerts@example.com>");

  private static MailServer resolve(String channelYaml, ServerConfig.Smtp server) {
    return MailServer.resolve(Fixtures.config(channelYaml), server);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "no to              | `{name: m, type: email, host: h}`"
          + " | r.yml:1:12: channel \"m\" (email) needs to, e.g. [sre@example.com]",
      "empty to           | `{name: m, type: email, to: []}`"
          + " | r.yml:1:39: to of channel \"m\" must list at least one address",
      "no domain          | `{name: m, type: email, to: [sre@example.com, sre]}`"
          + " | r.yml:1:39: to of channel \"m\" has an invalid address \"sre\": Missing final '@domain'",
      "spaces             | `{name: m, type: email, to: [not an address]}`"
          + " | r.yml:1:39: to of channel \"m\" has an invalid address \"not an address\":"
          + " Local address contains control or whitespace",
      "bad in a list      | `{name: m, type: email, to: 'a@example.com, b@'}`"
          + " | r.yml:1:39: to of channel \"m\" has an invalid address \"a@example.com, b@\": Missing domain",
      "empty address      | `{name: m, type: email, to: ['']}`"
          + " | r.yml:1:39: to of channel \"m\" has an invalid address \"\": no address",
      "bad from           | `{name: m, type: email, to: [sre@example.com], from: 'Tocsin <alerts@>'}`"
          + " | r.yml:1:64: from of channel \"m\" is not a valid address: \"Tocsin <alerts@>\": Missing domain",
      "from list          | `{name: m, type: email, to: [sre@example.com], from: [a@example.com]}`"
          + " | r.yml:1:64: channel \"m\".from must be a single value, got a list",
      "port too high      | `{name: m, type: email, to: [sre@example.com], port: 70000}`"
          + " | r.yml:1:64: port of channel \"m\" must be at most 65535, got 70000",
      "port not a number  | `{name: m, type: email, to: [sre@example.com], port: abc}`"
          + " | r.yml:1:64: channel \"m\".port must be a whole number of at least 1, got \"abc\"",
      "both TLS kinds     | `{name: m, type: email, to: [sre@example.com], starttls: true, tls: true}`"
          + " | r.yml:1:68: starttls of channel \"m\" cannot be used with tls: true; tls is TLS from the start"
          + " (usually port 465), starttls upgrades a plain connection (usually port 587)",
      "password only      | `{name: m, type: email, to: [sre@example.com], password: pw}`"
          + " | r.yml:1:68: password of channel \"m\" needs a username on the channel too",
      "empty host         | `{name: m, type: email, to: [sre@example.com], host: ''}`"
          + " | r.yml:1:64: host of channel \"m\" must not be empty",
      "starttls not bool  | `{name: m, type: email, to: [sre@example.com], starttls: maybe}`"
          + " | r.yml:1:68: channel \"m\".starttls must be true or false, got \"maybe\"",
      "unknown key        | `{name: m, type: email, to: [sre@example.com], tos: [x]}`"
          + " | r.yml:1:58: unknown key \"tos\" in channel, did you mean 'tls'?",
  })
  void parse_brokenSettings_reportFileLineColumn(String what, String yaml, String message) {
    assertThat(Fixtures.errors(yaml)).isEqualTo(message);
  }

  @Test
  void parse_everySetting_isRead() {
    EmailNotifier.Config config = Fixtures.config("{name: m, type: email, to: ['On Call <oncall@example.com>',"
        + " 'a@example.com, b@example.com'], from: 'Tocsin <alerts@example.com>', host: mail.example.com, port: 2525,"
        + " username: alerts, password: pw, starttls: false, tls: false}");

    assertThat(config).isEqualTo(new EmailNotifier.Config(
        List.of("On Call <oncall@example.com>", "a@example.com", "b@example.com"), "Tocsin <alerts@example.com>",
        "mail.example.com", 2525, "alerts", Secret.of("pw"), false, false));
  }

  @Test
  void config_toString_hidesThePassword() {
    EmailNotifier.Config config = Fixtures.config(
        "{name: m, type: email, to: [a@example.com], username: alerts, password: hunter2-pw}");

    assertThat(config.toString()).doesNotContain("hunter2-pw").contains("password=<redacted>");
    assertThat(resolve("{name: m, type: email, to: [a@example.com], host: h, username: u, password: hunter2-pw}", null)
        .toString()).doesNotContain("hunter2-pw");
  }

  @Test
  void new_noHostOnTheChannelNorInTocsinYml_isRefused() {
    assertThatThrownBy(() -> new EmailNotifier(Fixtures.config("{name: m, type: email, to: [a@example.com]}"),
        Fixtures.context(null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("needs an SMTP server: set smtp.host in tocsin.yml or host on the channel");
  }

  @Test
  void new_invalidFromInTocsinYml_isRefused() {
    ServerConfig.Smtp server = new ServerConfig.Smtp("smtp.example.com", 587, "", Secret.NONE, true, false, "alerts@");

    assertThatThrownBy(() -> new EmailNotifier(Fixtures.config("{name: m, type: email, to: [a@example.com]}"),
        Fixtures.context(server)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("smtp.from in tocsin.yml is not a valid address: \"alerts@\": Missing domain");
  }

  @Test
  void from_channelThenTocsinYmlThenTocsinAtThisHost() throws Exception {
    ServerConfig.Smtp noFrom = new ServerConfig.Smtp("smtp.example.com", 587, "", Secret.NONE, true, false, "");
    String channel = "{name: m, type: email, to: [a@example.com]}";

    assertThat(new EmailNotifier(Fixtures.config("{name: m, type: email, to: [a@example.com], from: ops@example.com}"),
        Fixtures.context(SERVER)).from().toString()).isEqualTo("ops@example.com");
    assertThat(new EmailNotifier(Fixtures.config(channel), Fixtures.context(SERVER)).from().toString())
        .isEqualTo("Tocsin <alerts@example.com>");
    assertThat(new EmailNotifier(Fixtures.config(channel), Fixtures.context(noFrom)).from().toString())
        .isEqualTo("tocsin@" + InetAddress.getLocalHost().getHostName());
  }

  @Test
  void resolve_nothingOnTheChannel_isTheSmtpBlock() {
    assertThat(resolve("{name: m, type: email, to: [a@example.com]}", SERVER))
        .isEqualTo(new MailServer("smtp.example.com", 587, "alerts", Secret.of("server-pw"), true, false));
  }

  @Test
  void resolve_channelKeys_overrideOneByOne() {
    assertThat(resolve("{name: m, type: email, to: [a@example.com], port: 2525, starttls: false}", SERVER))
        .isEqualTo(new MailServer("smtp.example.com", 2525, "alerts", Secret.of("server-pw"), false, false));
    assertThat(resolve("{name: m, type: email, to: [a@example.com], username: team, password: team-pw}", SERVER))
        .isEqualTo(new MailServer("smtp.example.com", 587, "team", Secret.of("team-pw"), true, false));
    // the same host, however written, is the same server
    assertThat(resolve("{name: m, type: email, to: [a@example.com], host: SMTP.example.com}", SERVER))
        .isEqualTo(new MailServer("SMTP.example.com", 587, "alerts", Secret.of("server-pw"), true, false));
  }

  @Test
  void resolve_tlsOnTheChannel_takesItsOwnPortAndNoStarttls() {
    assertThat(resolve("{name: m, type: email, to: [a@example.com], tls: true}", SERVER))
        .isEqualTo(new MailServer("smtp.example.com", 465, "alerts", Secret.of("server-pw"), false, true));
  }

  @Test
  void resolve_anotherHost_getsNoneOfTheServersLogin() {
    assertThat(resolve("{name: m, type: email, to: [a@example.com], host: relay.internal}", SERVER))
        .isEqualTo(new MailServer("relay.internal", 587, "", Secret.NONE, true, false));
    assertThat(resolve("{name: m, type: email, to: [a@example.com], host: relay.internal, tls: true}", null))
        .isEqualTo(new MailServer("relay.internal", 465, "", Secret.NONE, false, true));
  }

  @Test
  void properties_starttls_isRequiredAndCertificatesAreChecked() {
    Properties p = resolve("{name: m, type: email, to: [a@example.com]}", SERVER).properties(Duration.ofSeconds(7), null);

    assertThat(p).contains(
        entry("mail.smtp.host", "smtp.example.com"),
        entry("mail.smtp.port", "587"),
        entry("mail.smtp.auth", "true"),
        entry("mail.smtp.starttls.enable", "true"),
        entry("mail.smtp.starttls.required", "true"),
        entry("mail.smtp.ssl.enable", "false"),
        entry("mail.smtp.ssl.checkserveridentity", "true"),
        entry("mail.smtp.socketFactory.fallback", "false"),
        entry("mail.smtp.connectiontimeout", "7000"),
        entry("mail.smtp.timeout", "7000"),
        entry("mail.smtp.writetimeout", "7000"));
    // no trust-all: without a factory of the caller's, the JVM's trust store decides
    assertThat(p).doesNotContainKeys("mail.smtp.ssl.trust", "mail.smtp.ssl.socketFactory");
    assertThat(p.values()).doesNotContain("server-pw");
  }

  @Test
  void properties_implicitTls_usesSslFromTheStart() {
    Properties p = resolve("{name: m, type: email, to: [a@example.com], host: h, tls: true}", null)
        .properties(Duration.ofSeconds(7), null);

    assertThat(p).contains(
        entry("mail.smtp.port", "465"),
        entry("mail.smtp.auth", "false"),
        entry("mail.smtp.ssl.enable", "true"),
        entry("mail.smtp.starttls.enable", "false"));
  }
}
