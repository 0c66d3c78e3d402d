package io.tocsin.notify.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tocsin.channels.Channels;
import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlackConfigTest {
  private static final String HOOK = "https://hooks.slack.com/services/T0000/B0000/hookSECRET";
  private final RuleFiles rules = new RuleFiles(Map.of("SLACK_WEBHOOK_URL", HOOK, "EMPTY", "")::get, Channels::check);

  private String errors(String channel) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> rules.parse(Map.of("r.yml", "channels:\n  - " + channel + "\n")));
    assertThat(e).as("errors for %s", channel).isNotNull();
    return e.getMessage();
  }

  @Test
  void parse_webhookFromTheEnvironment_isASecret() throws Exception {
    ChannelDeclaration declaration = rules.parse(Map.of("r.yml",
        "channels:\n  - {name: ops, type: slack, webhook_url: \"${SLACK_WEBHOOK_URL}\", send_resolved: false}\n"))
        .channels().get(0);
    List<ConfigError> errors = new ArrayList<>();

    SlackNotifier.Config config = SlackNotifier.parse(new ChannelSettings(declaration, errors));

    assertThat(errors).isEmpty();
    assertThat(config).isEqualTo(new SlackNotifier.Config(Secret.of(HOOK), Secret.NONE, "",
        URI.create("https://slack.com/api/"), ChannelTemplates.NONE));
    assertThat(config.toString()).isEqualTo("Config[webhookUrl=<redacted>, token=<none>, channel=, "
        + "apiUrl=https://slack.com/api/, templates=ChannelTemplates[channel=, title=null, text=null]]");
  }

  @Test
  void parse_botToken_isASecretAndApiUrlGetsItsSlash() {
    SlackNotifier.Config config = SlackTestData.config(
        "{name: ops, type: slack, token: xoxb-1-secret, channel: \"#alerts\", api_url: \"http://127.0.0.1:9/api\"}");

    assertThat(config).isEqualTo(new SlackNotifier.Config(Secret.NONE, Secret.of("xoxb-1-secret"), "#alerts",
        URI.create("http://127.0.0.1:9/api/"), ChannelTemplates.NONE));
    assertThat(config.toString()).isEqualTo("Config[webhookUrl=<none>, token=<redacted>, channel=#alerts, "
        + "apiUrl=http://127.0.0.1:9/api/, templates=ChannelTemplates[channel=, title=null, text=null]]");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "neither webhook nor token | `{name: ops, type: slack}`"
          + " | r.yml:2:5: channel \"ops\": needs webhook_url (an incoming webhook) or token and channel (a bot token"
          + " with the chat:write scope)",
      "webhook and token         | `{name: ops, type: slack, webhook_url: \"https://hooks.slack.com/x\", token: xoxb-1}`"
          + " | r.yml:2:79: token of channel \"ops\" cannot be used together with webhook_url; set one of them",
      "token without channel     | `{name: ops, type: slack, token: xoxb-1}`"
          + " | r.yml:2:5: channel \"ops\" (slack) needs channel, e.g. C0123456789 or \"#alerts\"",
      "blank channel             | `{name: ops, type: slack, token: xoxb-1, channel: \" \"}`"
          + " | r.yml:2:5: channel \"ops\" (slack) needs channel, e.g. C0123456789 or \"#alerts\"",
      "webhook not a URL         | `{name: ops, type: slack, webhook_url: hooks.slack.com/services/T/B/hookSECRET}`"
          + " | r.yml:2:43: webhook_url of channel \"ops\" must be an http:// or https:// URL",
      "webhook empty             | `{name: ops, type: slack, webhook_url: \"${EMPTY}\"}`"
          + " | r.yml:2:43: webhook_url of channel \"ops\" is empty",
      "token empty               | `{name: ops, type: slack, token: \"\", channel: C1}`"
          + " | r.yml:2:37: token of channel \"ops\" is empty",
      "token with a space        | `{name: ops, type: slack, token: \"xoxb-1 SECRET\", channel: C1}`"
          + " | r.yml:2:37: token of channel \"ops\" must not contain spaces or line breaks",
      "channel with a webhook    | `{name: ops, type: slack, webhook_url: \"https://hooks.slack.com/x\", channel: C1}`"
          + " | r.yml:2:81: channel of channel \"ops\" is only used with token; an incoming webhook posts to the"
          + " channel it was made for",
      "api_url with a webhook    | `{name: ops, type: slack, webhook_url: \"https://hooks.slack.com/x\", api_url: \"http://x/\"}`"
          + " | r.yml:2:81: api_url of channel \"ops\" is only used with token; with webhook_url the webhook URL is the"
          + " endpoint",
      "api_url not a URL         | `{name: ops, type: slack, token: xoxb-1, channel: C1, api_url: slack.com/api}`"
          + " | r.yml:2:67: api_url of channel \"ops\" must be an http:// or https:// URL",
  })
  void parse_badSettings_areReportedWhereTheyAre(String what, String channel, String message) {
    String errors = errors(channel);

    assertThat(errors).isEqualTo(message);
    assertThat(errors).doesNotContain("SECRET", "xoxb");
  }
}
