package io.tocsin.notify.telegram;

import static io.tocsin.notify.telegram.Fixtures.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tocsin.channels.Channels;
import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TelegramSettingsTest {
  private final RuleFiles rules = new RuleFiles(Map.of("TELEGRAM_BOT_TOKEN", TOKEN)::get, Channels::check);

  /** A telegram channel "tg" with these lines (each indented by the caller) after its type. */
  private static String yaml(String settings) {
    return "channels:\n  - name: tg\n    type: telegram\n" + settings;
  }

  private TelegramNotifier.Config parse(String yaml) throws ConfigException {
    ChannelDeclaration declaration = rules.parse(Map.of("r.yml", yaml)).channels().get(0);
    List<ConfigError> errors = new ArrayList<>();
    TelegramNotifier.Config config = TelegramNotifier.parse(new ChannelSettings(declaration, errors));
    assertThat(errors).isEmpty();
    return config;
  }

  @Test
  void parse_everySetting_isRead() throws Exception {
    TelegramNotifier.Config config = parse(yaml("""
            bot_token: ${TELEGRAM_BOT_TOKEN}
            chat_id: -1001234567890
            message_thread_id: 7
            api_url: http://127.0.0.1:8081/telegram/
            send_resolved: false
        """));

    assertThat(config).isEqualTo(new TelegramNotifier.Config(Secret.of(TOKEN), "-1001234567890", 7,
        URI.create("http://127.0.0.1:8081/telegram/")));
    assertThat(config.toString()).doesNotContain(TOKEN).contains("<redacted>");
  }

  @Test
  void parse_requiredOnly_defaultsToTelegramAndNoTopic() throws Exception {
    TelegramNotifier.Config config = parse(yaml("""
            bot_token: "%s"
            chat_id: "@my_channel"
        """.formatted(TOKEN)));

    assertThat(config).isEqualTo(new TelegramNotifier.Config(Secret.of(TOKEN), "@my_channel", 0,
        URI.create("https://api.telegram.org")));
  }

  static Stream<Arguments> invalidSettings() {
    String token = "    bot_token: \"" + TOKEN + "\"\n";
    String chat = "    chat_id: 42\n";
    return Stream.of(
        arguments(chat, "r.yml:2:5: channel \"tg\" (telegram) needs bot_token, e.g. \"${TELEGRAM_BOT_TOKEN}\""),
        arguments("    bot_token: \"\"\n" + chat,
            "r.yml:2:5: channel \"tg\" (telegram) needs bot_token, e.g. \"${TELEGRAM_BOT_TOKEN}\""),
        arguments("    bot_token: not a token/../x\n" + chat, "r.yml:4:16: bot_token of channel \"tg\" must be a bot token"
            + " as @BotFather gives it, such as 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
        arguments(token, "r.yml:2:5: channel \"tg\" (telegram) needs chat_id, e.g. -1001234567890 or \"@mychannel\""),
        arguments(token + "    chat_id: mychannel\n", "r.yml:5:14: chat_id of channel \"tg\" must be a chat id such as"
            + " -1001234567890 or a public chat's username such as \"@mychannel\", got \"mychannel\""),
        arguments(token + "    chat_id: \"@ab\"\n", "r.yml:5:14: chat_id of channel \"tg\" must be a chat id such as"
            + " -1001234567890 or a public chat's username such as \"@mychannel\", got \"@ab\""),
        arguments(token + "    chat_id: 0\n", "r.yml:5:14: chat_id of channel \"tg\" must be a chat id such as"
            + " -1001234567890 or a public chat's username such as \"@mychannel\", got \"0\""),
        arguments(token + "    chat_id: 12.5\n", "r.yml:5:14: chat_id of channel \"tg\" must be a chat id such as"
            + " -1001234567890 or a public chat's username such as \"@mychannel\", got \"12.5\""),
        arguments(token + chat + "    message_thread_id: 0\n", "r.yml:6:24: message_thread_id of channel \"tg\" must"
            + " be a forum topic's id, a whole number of at least 1, got \"0\""),
        arguments(token + chat + "    message_thread_id: general\n", "r.yml:6:24: message_thread_id of channel \"tg\""
            + " must be a forum topic's id, a whole number of at least 1, got \"general\""),
        arguments(token + chat + "    api_url: ftp://example.com\n",
            "r.yml:6:14: api_url of channel \"tg\" must be an http:// or https:// URL"),
        arguments(token + chat + "    chatid: 42\n", "r.yml:6:5: unknown key \"chatid\" in channel, did you mean 'chat_id'?"));
  }

  @ParameterizedTest
  @MethodSource("invalidSettings")
  void parse_invalidSettings_areReportedWithPosition(String settings, String message) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> rules.parse(Map.of("r.yml", yaml(settings))));

    assertThat(e).as("errors for:%n%s", settings).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message);
  }

  @Test
  void parse_tokenWithSurroundingSpace_isStripped() throws Exception {
    TelegramNotifier.Config config = parse(yaml("    bot_token: \" " + TOKEN + "\\n\"\n    chat_id: 42\n"));

    assertThat(config.botToken()).isEqualTo(Secret.of(TOKEN));
  }

  @Test
  void parse_malformedToken_isRefusedWithoutBeingShown() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> rules.parse(Map.of("r.yml",
        yaml("    bot_token: \"" + TOKEN + "/x\"\n    chat_id: 42\n"))));

    assertThat(e.getMessage()).startsWith("r.yml:4:16: bot_token of channel \"tg\" must be").doesNotContain(TOKEN);
  }
}
