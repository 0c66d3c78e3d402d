package io.tocsin.notify.mattermost;

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
 * The {@code mattermost} channel: posts each notification to an incoming webhook ({@link
 * MattermostMessage}). Mattermost answers 200 {@code ok}; 429 (its rate limiter, with {@code
 * Retry-After}) and 5xx are retried; other 4xx (a deleted webhook, a refused post) fail with
 * Mattermost's message and error id.
 */
public final class MattermostNotifier implements Notifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Mattermost's rate limiter allows 10 requests a second by default. */
  private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  /** The channel's settings; the webhook URL (its key is the credential) prints as {@code <redacted>}. */
  public record Config(Secret webhookUrl, ChannelTemplates templates) {}

  public static final ChannelType<Config> TYPE = new ChannelType<>("mattermost", ChannelTemplates.with("webhook_url"),
      MattermostNotifier::parse, MattermostNotifier::new);

  private final HttpTarget target;
  private final ChannelTemplates templates;
  private final NotifierContext context;

  public MattermostNotifier(Config config, NotifierContext context) {
    this.target = HttpTarget.of(config.webhookUrl());
    this.templates = config.templates();
    this.context = context;
  }

  public static Config parse(ChannelSettings settings) {
    return new Config(settings.webhookUrl("\"${MATTERMOST_WEBHOOK_URL}\" (https://mattermost.example.com/hooks/<key>)"),
        ChannelTemplates.read(settings));
  }

  @Override
  public Delivery send(Notification n) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(MattermostMessage.of(n, templates));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // strings only: a bug
    }
    return target.postJson(context.http(), target.uri(), json, context.requestTimeout(), MattermostNotifier::answer);
  }

  /** Mattermost's errors: {@code {"id": "web.incoming_webhook.invalid.app_error", "message": "Invalid webhook.", ...}}. */
  static Delivery answer(int status, String body, String retryAfter) {
    JsonNode json = HttpTarget.jsonObject(body);
    if (json == null || !json.path("message").isTextual()) {
      return Delivery.ofHttp(status, body, retryAfter);
    }
    String id = json.path("id").asText("");
    return Delivery.ofHttp(status, json.path("message").asText() + (id.isEmpty() ? "" : " (" + id + ")"), retryAfter);
  }

  @Override
  public Duration minInterval() {
    return MIN_INTERVAL;
  }
}
