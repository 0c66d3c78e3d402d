package io.tocsin.notify.pagerduty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.HttpTarget;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;
import io.tocsin.notify.PerAlertSender;
import io.tocsin.notify.Redactor;
import io.tocsin.notify.Severity;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code pagerduty} channel: one Events API v2 event per alert ({@link PagerDutyEvent}) to
 * {@code <api_url>/v2/enqueue}, triggered and resolved by the same {@code dedup_key}. Severity
 * comes from the alert's {@code severity} label ({@link Severity}). A test message triggers an
 * {@code info} incident and resolves it at once, so it reaches PagerDuty without staying open.
 *
 * <p>202 is accepted; 429 and 5xx are retried (after {@code Retry-After} when given), other 4xx
 * fail with PagerDuty's {@code message} and {@code errors}. The routing key travels in the body
 * only, and is taken out of every answer.
 */
public final class PagerDutyNotifier implements Notifier {
  static final String DEFAULT_API_URL = "https://events.pagerduty.com";
  static final String PATH = "/v2/enqueue";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An Events API v2 integration key: 32 letters and digits. */
  private static final Pattern ROUTING_KEY = Pattern.compile("[A-Za-z0-9]{32}");
  /**
   * PagerDuty throttles each routing key (about 120 events a minute) and answers 429 beyond;
   * spacing notifications half a second apart keeps a steady stream within that.
   */
  private static final Duration MIN_INTERVAL = Duration.ofMillis(500);

  /** The channel's settings; prints no routing key. */
  public record Config(Secret routingKey, URI apiUrl, ChannelTemplates templates) {
    /** The key and the API; templates, long and no secret, are left out. */
    @Override
    public String toString() {
      return "Config[routingKey=" + routingKey + ", apiUrl=" + apiUrl + "]";
    }
  }

  public static final ChannelType<Config> TYPE = new ChannelType<>("pagerduty", ChannelTemplates.with("routing_key"),
      PagerDutyNotifier::parse, PagerDutyNotifier::new);

  private final Config config;
  private final NotifierContext context;
  private final HttpTarget target;
  private final URI enqueue;
  private final PerAlertSender sender = new PerAlertSender();
  /** The routing key is in the body, not the target: a service that echoes the request would show it. */
  private final Redactor redactor;

  public PagerDutyNotifier(Config config, NotifierContext context) {
    this.config = config;
    this.context = context;
    this.target = HttpTarget.of(Secret.of(config.apiUrl().toString()));
    this.enqueue = target.uri(PATH);
    this.redactor = Redactor.of(List.of(config.routingKey()));
  }

  public static Config parse(ChannelSettings settings) {
    URI apiUrl = settings.url("api_url", DEFAULT_API_URL);
    String key = settings.required("routing_key", "\"${PAGERDUTY_ROUTING_KEY}\"").strip();
    if (!key.isEmpty() && !ROUTING_KEY.matcher(key).matches()) {
      // Never the value: a secret even when malformed.
      settings.error("routing_key", "must be the 32-character integration key of an Events API v2 integration");
    }
    return new Config(settings.keepSecret(Secret.of(key)), apiUrl == null ? URI.create(DEFAULT_API_URL) : apiUrl,
        ChannelTemplates.read(settings));
  }

  @Override
  public Delivery send(Notification n) {
    return sender.send(n, alert -> sendOne(n, alert));
  }

  private Delivery sendOne(Notification n, Alert alert) {
    List<ObjectNode> events = new ArrayList<>();
    if (n.test()) {
      events.add(PagerDutyEvent.trigger(n, alert, Severity.INFO, config.templates()));
      events.add(PagerDutyEvent.resolve(n, alert));
    } else if (alert.isResolved()) {
      events.add(PagerDutyEvent.resolve(n, alert));
    } else {
      events.add(PagerDutyEvent.trigger(n, alert, Severity.of(n.labelsOf(alert)), config.templates()));
    }
    Delivery delivery = null;
    for (ObjectNode event : events) {
      ObjectNode body = JSON.createObjectNode().put("routing_key", config.routingKey().reveal());
      body.setAll(event);
      delivery = post(body).redacted(redactor);
      if (!delivery.isSent()) {
        return delivery;
      }
    }
    return delivery;
  }

  private Delivery post(ObjectNode body) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // strings only: a bug
    }
    return target.postJson(context.http(), enqueue, json, context.requestTimeout(), PagerDutyNotifier::answer);
  }

  /**
   * {@code {"status":"success","message":"Event processed","dedup_key":"..."}} or {@code
   * {"status":"invalid event","message":"Event object is invalid","errors":["..."]}}: the message
   * and the errors make the detail; any other body is shown as it is.
   */
  static Delivery answer(int status, String body, String retryAfter) {
    JsonNode json = HttpTarget.jsonObject(body);
    if (json == null || !json.path("message").isTextual()) {
      return Delivery.ofHttp(status, body, retryAfter);
    }
    StringBuilder detail = new StringBuilder(json.path("message").asText());
    List<String> errors = new ArrayList<>();
    json.path("errors").forEach(e -> errors.add(e.asText()));
    if (!errors.isEmpty()) {
      detail.append(": ").append(String.join("; ", errors));
    }
    if (json.path("dedup_key").isTextual()) {
      detail.append(" (dedup_key ").append(json.path("dedup_key").asText()).append(')');
    }
    return Delivery.ofHttp(status, detail.toString(), retryAfter);
  }

  @Override
  public Duration minInterval() {
    return MIN_INTERVAL;
  }

  @Override
  public String toString() {
    return "PagerDutyNotifier[api_url=" + config.apiUrl() + "]";
  }
}
