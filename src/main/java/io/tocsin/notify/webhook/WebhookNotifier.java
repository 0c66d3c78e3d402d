package io.tocsin.notify.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.HttpTarget;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;

/**
 * The {@code webhook} channel: posts each notification as Alertmanager's webhook JSON (version
 * 4; see {@link WebhookMessage}) to {@code url}, with optional extra headers and basic or bearer
 * authentication. 2xx is delivered; 429, 5xx and network errors are retried; other answers fail.
 */
public final class WebhookNotifier implements Notifier {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpTarget target;
  private final NotifierContext context;

  /** The channel's settings; prints no URL, header value or credential. */
  public record Config(HttpTarget target) {}

  public static final ChannelType<Config> TYPE = new ChannelType<>("webhook", HttpTarget.KEYS,
      WebhookNotifier::parse, WebhookNotifier::new);

  public WebhookNotifier(Config config, NotifierContext context) {
    this.target = config.target();
    this.context = context;
  }

  public static Config parse(ChannelSettings settings) {
    return new Config(HttpTarget.parse(settings, "https://hooks.example.com/tocsin"));
  }

  @Override
  public Delivery send(Notification notification) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(WebhookMessage.of(notification, context.externalUrl()));
    } catch (JsonProcessingException e) {
      // Strings, numbers and maps only: cannot happen short of a bug, which the worker retries.
      throw new IllegalStateException("cannot write the webhook message", e);
    }
    return target.postJson(context.http(), target.uri(), body, context.requestTimeout());
  }
}
