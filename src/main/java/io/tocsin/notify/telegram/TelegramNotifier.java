package io.tocsin.notify.telegram;

import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;

/** PLACEHOLDER: being written; replaced in full by the telegram channel implementation. */
public final class TelegramNotifier implements Notifier {
  public record Config() {}

  public static Config parse(ChannelSettings settings) {
    return new Config();
  }

  public TelegramNotifier(Config config, NotifierContext context) {}

  @Override
  public Delivery send(Notification notification) {
    return Delivery.failed("not implemented yet");
  }
}
