package io.tocsin.notify.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.HttpTarget;
import io.tocsin.notify.MessageTemplate;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;
import io.tocsin.notify.TemplateException;
import io.tocsin.notify.TemplateFormat;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code webhook} channel: posts each notification as Alertmanager's webhook JSON (version
 * 4; see {@link WebhookMessage}) to {@code url}, or as the JSON its {@code body} template makes,
 * with optional extra headers and basic or bearer authentication. 2xx is delivered; 429, 5xx and
 * network errors are retried; other answers fail.
 */
public final class WebhookNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpTarget target;
  private final MessageTemplate body;
  private final NotifierContext context;
  private final String name;

  /**
   * The channel's settings; prints no URL, header value or credential.
   *
   * @param body the {@code body} template, or null for Alertmanager's webhook JSON
   */
  public record Config(HttpTarget target, MessageTemplate body, String name) {
    public Config(HttpTarget target) {
      this(target, null, "");
    }
  }

  public static final ChannelType<Config> TYPE = new ChannelType<>("webhook", keys(), WebhookNotifier::parse,
      WebhookNotifier::new);

  private static Set<String> keys() {
    Set<String> keys = new HashSet<>(HttpTarget.KEYS);
    keys.add("body");
    return keys;
  }

  public WebhookNotifier(Config config, NotifierContext context) {
    this.target = config.target();
    this.body = config.body();
    this.name = config.name();
    this.context = context;
  }

  public static Config parse(ChannelSettings settings) {
    return new Config(HttpTarget.parse(settings, "https://hooks.example.com/tocsin"),
        settings.template("body", TemplateFormat.JSON), settings.name());
  }

  @Override
  public Delivery send(Notification notification) {
    byte[] json = body == null ? null : custom(notification);
    if (json == null) {
      try {
        json = JSON.writeValueAsBytes(WebhookMessage.of(notification, context.externalUrl()));
      } catch (JsonProcessingException e) {
        // Strings, numbers and maps only: cannot happen short of a bug, which the worker retries.
        throw new IllegalStateException("cannot write the webhook message", e);
      }
    }
    return target.postJson(context.http(), target.uri(), json, context.requestTimeout());
  }

  /** The body template's JSON; null, with a warning, when it fails or is not JSON: the default body goes instead. */
  private byte[] custom(Notification notification) {
    String why;
    try {
      String rendered = body.render(notification);
      JSON.readTree(rendered);
      return rendered.getBytes(StandardCharsets.UTF_8);
    } catch (TemplateException e) {
      why = e.getMessage();
    } catch (JsonProcessingException e) {
      why = "it is not valid JSON: " + e.getOriginalMessage();
    }
    log.warn("channel \"{}\": the body template failed for notification {} ({}); sending the default body instead",
        name, notification.id(), why);
    return null;
  }
}
