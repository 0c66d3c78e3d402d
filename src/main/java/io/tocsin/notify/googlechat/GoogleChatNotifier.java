package io.tocsin.notify.googlechat;

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
import java.net.URI;
import java.time.Duration;

/**
 * The {@code googlechat} channel: posts each notification as a card to a space's incoming webhook
 * ({@link GoogleChatMessage}), threaded by monitor. 200 is accepted; 429 ({@code
 * RESOURCE_EXHAUSTED}) and 5xx are retried (after {@code Retry-After} when given); other 4xx fail
 * with Google's error message and status.
 */
public final class GoogleChatNotifier implements Notifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String REPLY_OPTION = "messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD";
  /** Google Chat takes about one message a second from a webhook into a space. */
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** The channel's settings; the webhook URL (its key and token are the credential) prints as {@code <redacted>}. */
  public record Config(Secret webhookUrl, ChannelTemplates templates) {}

  public static final ChannelType<Config> TYPE = new ChannelType<>("googlechat", ChannelTemplates.with("webhook_url"),
      GoogleChatNotifier::parse, GoogleChatNotifier::new);

  private final HttpTarget target;
  private final URI postUri;
  private final ChannelTemplates templates;
  private final NotifierContext context;

  public GoogleChatNotifier(Config config, NotifierContext context) {
    this.target = HttpTarget.of(config.webhookUrl());
    this.templates = config.templates();
    this.context = context;
    String url = target.uri().toString();
    this.postUri = url.contains("messageReplyOption=") ? target.uri()
        : URI.create(url + (url.contains("?") ? "&" : "?") + REPLY_OPTION);
  }

  public static Config parse(ChannelSettings settings) {
    return new Config(settings.webhookUrl("\"${GOOGLE_CHAT_WEBHOOK_URL}\" "
        + "(https://chat.googleapis.com/v1/spaces/<space>/messages?key=<key>&token=<token>)"),
        ChannelTemplates.read(settings));
  }

  @Override
  public Delivery send(Notification n) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(GoogleChatMessage.of(n, templates));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // strings only: a bug
    }
    return target.postJson(context.http(), postUri, json, context.requestTimeout(), GoogleChatNotifier::answer);
  }

  /**
   * The created message, {@code {"name": "spaces/…/messages/…", "thread": {"name": …}}}, or
   * Google's error, {@code {"error": {"code": 400, "message": "…", "status": "INVALID_ARGUMENT"}}}.
   */
  static Delivery answer(int status, String body, String retryAfter) {
    JsonNode json = HttpTarget.jsonObject(body);
    if (json != null && json.path("error").path("message").isTextual()) {
      JsonNode error = json.path("error");
      String reason = error.path("status").asText("");
      return Delivery.ofHttp(status, error.path("message").asText() + (reason.isEmpty() ? "" : " (" + reason + ")"),
          retryAfter);
    }
    if (json != null && json.path("name").isTextual()) {
      // The ids only: the space's id is part of the webhook URL, so the redaction would blank it anyway.
      return Delivery.ofHttp(status, "message " + lastSegment(json.path("name").asText()) + " in thread "
          + lastSegment(json.path("thread").path("name").asText()), retryAfter);
    }
    return Delivery.ofHttp(status, body, retryAfter);
  }

  private static String lastSegment(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  @Override
  public Duration minInterval() {
    return MIN_INTERVAL;
  }
}
