package io.tocsin.notify.opsgenie;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.AlertKeys;
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
import io.tocsin.rules.AlertEvent;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The {@code opsgenie} channel: per alert, {@code POST /v2/alerts} to create it with its {@code
 * alias}, or {@code POST /v2/alerts/<alias>/close?identifierType=alias} to close it
 * ({@link OpsgenieAlert}), authenticated with {@code Authorization: GenieKey <api_key>}. The API
 * lives at {@code https://api.opsgenie.com}, or {@code https://api.eu.opsgenie.com} for accounts in
 * the EU: {@code api_url}. A test message creates a P5 alert and closes it at once. An alert that
 * moved to another severity level is created (in case this channel had not seen it, as when its
 * route takes only the new level), then given the new level's priority with {@code PUT
 * /v2/alerts/<alias>/priority?identifierType=alias}: a create with the alias of an open alert
 * only adds a note to it and keeps its priority.
 *
 * <p>Opsgenie answers 202 and processes the request later; 429 and 5xx are retried (after {@code
 * Retry-After} when given), other 4xx (a wrong key: 401/403, a bad request: 422) fail with
 * Opsgenie's {@code message}.
 */
public final class OpsgenieNotifier implements Notifier {
  static final String DEFAULT_API_URL = "https://api.opsgenie.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The channel's settings; prints no key. */
  public record Config(Secret apiKey, URI apiUrl, ChannelTemplates templates) {
    /** The key and the API; templates, long and no secret, are left out. */
    @Override
    public String toString() {
      return "Config[apiKey=" + apiKey + ", apiUrl=" + apiUrl + "]";
    }
  }

  public static final ChannelType<Config> TYPE = new ChannelType<>("opsgenie", ChannelTemplates.with("api_key"),
      OpsgenieNotifier::parse, OpsgenieNotifier::new);

  private final Config config;
  private final NotifierContext context;
  private final HttpTarget target;
  private final PerAlertSender sender = new PerAlertSender();
  private final Redactor redactor;

  public OpsgenieNotifier(Config config, NotifierContext context) {
    this.config = config;
    this.context = context;
    this.target = new HttpTarget(Secret.of(config.apiUrl().toString()), Map.of(),
        Secret.of("GenieKey " + config.apiKey().reveal()));
    this.redactor = Redactor.of(List.of(config.apiKey()));
  }

  public static Config parse(ChannelSettings settings) {
    URI apiUrl = settings.url("api_url", DEFAULT_API_URL);
    String key = settings.required("api_key", "\"${OPSGENIE_API_KEY}\"").strip();
    if (key.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      settings.error("api_key", "must not contain spaces or line breaks");
    }
    return new Config(settings.keepSecret(Secret.of(key)), apiUrl == null ? URI.create(DEFAULT_API_URL) : apiUrl,
        ChannelTemplates.read(settings));
  }

  @Override
  public Delivery send(Notification n) {
    return sender.send(n, alert -> sendOne(n, alert).redacted(redactor));
  }

  private Delivery sendOne(Notification n, Alert alert) {
    if (alert.isResolved()) {
      return close(n, alert);
    }
    Severity severity = n.test() ? Severity.INFO : Severity.of(n.labelsOf(alert));
    Delivery created = post(target.uri("/v2/alerts"), OpsgenieAlert.create(n, alert, severity, config.templates()));
    if (created.isSent() && isLevelChange(alert)) {
      // A create with an open alert's alias only adds a note to it: the new priority needs its own request.
      return send("PUT", target.uri("/v2/alerts/" + AlertKeys.of(n, alert) + "/priority?identifierType=alias"),
          JSON.createObjectNode().put("priority", OpsgenieAlert.priority(severity)));
    }
    return created.isSent() && n.test() ? close(n, alert) : created;
  }

  private static boolean isLevelChange(Alert alert) {
    return alert.status() == AlertEvent.Type.ESCALATED || alert.status() == AlertEvent.Type.DEESCALATED;
  }

  private Delivery close(Notification n, Alert alert) {
    // The alias is "tocsin-" and hex digits: nothing in it needs encoding in a path.
    return post(target.uri("/v2/alerts/" + AlertKeys.of(n, alert) + "/close?identifierType=alias"),
        OpsgenieAlert.close(n, alert));
  }

  private Delivery post(URI uri, ObjectNode body) {
    return send("POST", uri, body);
  }

  private Delivery send(String method, URI uri, ObjectNode body) {
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // strings only: a bug
    }
    return target.sendJson(context.http(), method, uri, json, context.requestTimeout(), OpsgenieNotifier::answer);
  }

  /**
   * {@code {"result":"Request will be processed","took":0.1,"requestId":"..."}}, or an error
   * {@code {"message":"...","took":0.0,"requestId":"..."}}: the result or message, and the request
   * id (what Opsgenie's support asks for), make the detail.
   */
  static Delivery answer(int status, String body, String retryAfter) {
    JsonNode json = HttpTarget.jsonObject(body);
    String text = json == null ? null : json.path("result").isTextual() ? json.path("result").asText()
        : json.path("message").isTextual() ? json.path("message").asText() : null;
    if (text == null) {
      return Delivery.ofHttp(status, body, retryAfter);
    }
    String requestId = json.path("requestId").asText("");
    return Delivery.ofHttp(status, text + (requestId.isEmpty() ? "" : " (requestId " + requestId + ")"), retryAfter);
  }

  @Override
  public String toString() {
    return "OpsgenieNotifier[api_url=" + config.apiUrl() + "]";
  }
}
