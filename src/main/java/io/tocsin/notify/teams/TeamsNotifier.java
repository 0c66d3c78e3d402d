package io.tocsin.notify.teams;

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
 * The {@code teams} channel: posts each notification as an Adaptive Card ({@link TeamsCard}) to the
 * webhook URL of a Teams Workflows flow (Power Automate: "post to a channel when a webhook request
 * is received"); the retired Office 365 connector format is not spoken. The flow answers 202; 429
 * (after {@code Retry-After}) and 5xx are retried; other 4xx (a deleted flow, a refused card) fail
 * with the flow's error code and message.
 */
public final class TeamsNotifier implements Notifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Teams posts from a webhook at a few a second at most; one a second stays clear of its throttling. */
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** The channel's settings; the webhook URL (its {@code sig} is the credential) prints as {@code <redacted>}. */
  public record Config(Secret webhookUrl, ChannelTemplates templates) {}

  public static final ChannelType<Config> TYPE = new ChannelType<>("teams", ChannelTemplates.with("webhook_url"),
      TeamsNotifier::parse, TeamsNotifier::new);

  private final HttpTarget target;
  private final ChannelTemplates templates;
  private final NotifierContext context;

  public TeamsNotifier(Config config, NotifierContext context) {
    this.target = HttpTarget.of(config.webhookUrl());
    this.templates = config.templates();
    this.context = context;
  }

  public static Config parse(ChannelSettings settings) {
    return new Config(settings.webhookUrl("\"${TEAMS_WEBHOOK_URL}\" (the URL of a Workflows webhook trigger)"),
        ChannelTemplates.read(settings));
  }

  @Override
  public Delivery send(Notification n) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(TeamsCard.of(n, templates));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // strings only: a bug
    }
    return target.postJson(context.http(), target.uri(), json, context.requestTimeout(), TeamsNotifier::answer);
  }

  /** Power Automate's errors: {@code {"error": {"code": "WorkflowTriggerIsNotEnabled", "message": "…"}}}. */
  static Delivery answer(int status, String body, String retryAfter) {
    JsonNode json = HttpTarget.jsonObject(body);
    if (json == null || !json.path("error").path("message").isTextual()) {
      return Delivery.ofHttp(status, body, retryAfter);
    }
    String code = json.path("error").path("code").asText("");
    return Delivery.ofHttp(status, (code.isEmpty() ? "" : code + ": ") + json.path("error").path("message").asText(),
        retryAfter);
  }

  @Override
  public Duration minInterval() {
    return MIN_INTERVAL;
  }
}
