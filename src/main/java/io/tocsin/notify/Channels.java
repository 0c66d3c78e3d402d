package io.tocsin.notify;

import io.tocsin.notify.alertmanager.AlertmanagerNotifier;
import io.tocsin.notify.email.EmailNotifier;
import io.tocsin.notify.log.LogNotifier;
import io.tocsin.notify.slack.SlackNotifier;
import io.tocsin.notify.telegram.TelegramNotifier;
import io.tocsin.notify.webhook.WebhookNotifier;
import io.tocsin.yaml.ConfigError;
import java.util.List;

/**
 * Turns channel declarations into notifiers. Each channel type lives in its own package with
 * its config and sender; this is the one place that knows them all.
 */
public final class Channels {
  private Channels() {}

  /** Checks a declaration's values (for {@code tocsin check} and reloads), adding positioned errors. */
  public static void check(ChannelDeclaration declaration, List<ConfigError> errors) {
    parse(new ChannelSettings(declaration, errors));
  }

  /** Builds the channel; null, with errors added, when its settings are unusable. */
  static Channel create(ChannelDeclaration declaration, NotifierContext context, List<ConfigError> errors) {
    int before = errors.size();
    ChannelSettings settings = new ChannelSettings(declaration, errors);
    boolean sendResolved = settings.bool("send_resolved", true);
    Object config = parse(settings);
    if (errors.size() > before) {
      return null;
    }
    Notifier notifier;
    try {
      notifier = notifier(config, context);
    } catch (IllegalArgumentException e) {
      settings.error(e.getMessage());
      return null;
    }
    return new Channel(declaration, sendResolved, notifier, settings.redactor());
  }

  private static Notifier notifier(Object config, NotifierContext context) {
    Notifier notifier;
    if (config instanceof SlackNotifier.Config c) {
      notifier = new SlackNotifier(c, context);
    } else if (config instanceof EmailNotifier.Config c) {
      notifier = new EmailNotifier(c, context);
    } else if (config instanceof TelegramNotifier.Config c) {
      notifier = new TelegramNotifier(c, context);
    } else if (config instanceof WebhookNotifier.Config c) {
      notifier = new WebhookNotifier(c, context);
    } else if (config instanceof AlertmanagerNotifier.Config c) {
      notifier = new AlertmanagerNotifier(c, context);
    } else {
      notifier = new LogNotifier();
    }
    return notifier;
  }

  private static Object parse(ChannelSettings settings) {
    settings.bool("send_resolved", true);
    return switch (typeOf(settings)) {
      case "slack" -> SlackNotifier.parse(settings);
      case "email" -> EmailNotifier.parse(settings);
      case "telegram" -> TelegramNotifier.parse(settings);
      case "webhook" -> WebhookNotifier.parse(settings);
      case "alertmanager" -> AlertmanagerNotifier.parse(settings);
      default -> null;
    };
  }

  private static String typeOf(ChannelSettings settings) {
    return settings.string("type", "log");
  }
}
