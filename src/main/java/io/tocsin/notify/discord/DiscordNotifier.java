package io.tocsin.notify.discord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.HttpTarget;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;
import io.tocsin.yaml.Secret;
import java.time.Duration;

/**
 * The {@code discord} channel: posts each notification to a channel's webhook ({@link
 * DiscordMessage}). Discord answers 204; a 429 says in its JSON body how many seconds to wait
 * ({@code retry_after}, fractional), which wins over the {@code Retry-After} header; 5xx are
 * retried; other 4xx (an unknown webhook, an invalid body) fail with Discord's message and code.
 */
public final class DiscordNotifier implements Notifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Discord allows a webhook 5 requests in 2 seconds and a channel 30 messages a minute. */
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(2);

  /** The channel's settings; the webhook URL (its token is the credential) prints as {@code <redacted>}. */
  public record Config(Secret webhookUrl, ChannelTemplates templates) {}

  public static final ChannelType<Config> TYPE = new ChannelType<>("discord", ChannelTemplates.with("webhook_url"),
      DiscordNotifier::parse, DiscordNotifier::new);

  private final HttpTarget target;
  private final ChannelTemplates templates;
  private final NotifierContext context;

  public DiscordNotifier(Config config, NotifierContext context) {
    this.target = HttpTarget.of(config.webhookUrl());
    this.templates = config.templates();
    this.context = context;
  }

  public static Config parse(ChannelSettings settings) {
    return new Config(settings.webhookUrl("\"${DISCORD_WEBHOOK_URL}\" (https://discord.com/api/webhooks/<id>/<token>)"),
        ChannelTemplates.read(settings));
  }

  @Override
  public Delivery send(Notification n) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(DiscordMessage.of(n, templates));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // strings and numbers only: a bug
    }
    return target.postJson(context.http(), target.uri(), json, context.requestTimeout(), DiscordNotifier::answer);
  }

  /**
   * Discord's errors are {@code {"message": "Unknown Webhook", "code": 10015}}, and for a 429
   * {@code {"message": "You are being rate limited.", "retry_after": 1.5, "global": false}}.
   */
  static Delivery answer(int status, String body, String retryAfterHeader) {
    JsonNode json = HttpTarget.jsonObject(body);
    if (json == null || !json.path("message").isTextual()) {
      return Delivery.ofHttp(status, body, retryAfterHeader);
    }
    String detail = json.path("message").asText() + (json.path("code").isInt() ? " (code "
        + json.path("code").asInt() + ")" : "");
    if (json.has("errors")) {
      detail += ": " + json.path("errors");
    }
    Delivery delivery = Delivery.ofHttp(status, detail, retryAfterHeader);
    JsonNode retryAfter = json.path("retry_after");
    if (delivery.outcome() == Delivery.Outcome.RETRY && retryAfter.isNumber() && retryAfter.asDouble() >= 0) {
      return Delivery.retry(delivery.detail(), Duration.ofMillis((long) Math.ceil(retryAfter.asDouble() * 1000)));
    }
    return delivery;
  }

  @Override
  public Duration minInterval() {
    return MIN_INTERVAL;
  }
}
