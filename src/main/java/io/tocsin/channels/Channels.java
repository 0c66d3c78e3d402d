package io.tocsin.channels;

import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.notify.ChannelTypes;
import io.tocsin.notify.alertmanager.AlertmanagerNotifier;
import io.tocsin.notify.discord.DiscordNotifier;
import io.tocsin.notify.email.EmailNotifier;
import io.tocsin.notify.googlechat.GoogleChatNotifier;
import io.tocsin.notify.log.LogNotifier;
import io.tocsin.notify.mattermost.MattermostNotifier;
import io.tocsin.notify.opsgenie.OpsgenieNotifier;
import io.tocsin.notify.pagerduty.PagerDutyNotifier;
import io.tocsin.notify.slack.SlackNotifier;
import io.tocsin.notify.teams.TeamsNotifier;
import io.tocsin.notify.telegram.TelegramNotifier;
import io.tocsin.notify.webhook.WebhookNotifier;
import io.tocsin.yaml.ConfigError;
import java.util.List;

/**
 * Every channel type Tocsin knows. Each integration defines its {@code ChannelType} in its own
 * package under {@code io.tocsin.notify}; this list is the one line to add for a new one. It lives
 * above {@code notify} so that the notification stage never depends on its integrations.
 */
public final class Channels {
  public static final ChannelTypes TYPES = new ChannelTypes(List.of(
      SlackNotifier.TYPE,
      EmailNotifier.TYPE,
      TelegramNotifier.TYPE,
      WebhookNotifier.TYPE,
      AlertmanagerNotifier.TYPE,
      PagerDutyNotifier.TYPE,
      OpsgenieNotifier.TYPE,
      DiscordNotifier.TYPE,
      MattermostNotifier.TYPE,
      GoogleChatNotifier.TYPE,
      TeamsNotifier.TYPE,
      LogNotifier.TYPE));

  private Channels() {}

  /** Checks a declaration's values (for {@code tocsin check} and reloads), adding positioned errors. */
  public static void check(ChannelDeclaration declaration, List<ConfigError> errors) {
    TYPES.check(declaration, errors);
  }
}
