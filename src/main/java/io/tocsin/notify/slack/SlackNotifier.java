package io.tocsin.notify.slack;

import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;

/** PLACEHOLDER: being written; replaced in full by the slack channel implementation. */
public final class SlackNotifier implements Notifier {
  public record Config() {}

  public static Config parse(ChannelSettings settings) {
    return new Config();
  }

  public SlackNotifier(Config config, NotifierContext context) {}

  @Override
  public Delivery send(Notification notification) {
    return Delivery.failed("not implemented yet");
  }
}
