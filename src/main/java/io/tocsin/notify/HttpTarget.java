package io.tocsin.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.yaml.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where and how a JSON-over-HTTP channel posts: the URL, extra headers and the credentials, as
 * the {@code webhook} and {@code alertmanager} channels share them ({@code url}, {@code headers},
 * {@code username} + {@code password} or {@code bearer_token}). Everything is a {@link Secret},
 * header values included, because URLs and headers often carry API keys; {@link #toString}
 * shows no value.
 *
 * @param url the URL as configured; may carry {@code user:password@}, which is sent as basic auth
 * @param headers extra request headers, in the configured order
 * @param authorization the whole {@code Authorization} value, or {@link Secret#NONE}
 */
public record HttpTarget(Secret url, Map<String, Secret> headers, Secret authorization) {
  /** The keys {@link #parse} reads, for the channel types that post this way. */
  public static final Set<String> KEYS = Set.of("url", "headers", "username", "password", "bearer_token");
  /** Headers the JDK client refuses or that Tocsin sets itself; lower case. */
  private static final Set<String> RESERVED = Set.of("connection", "content-length", "content-type", "expect", "host",
      "upgrade");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An HTTP token (RFC 9110, section 5.6.2): what a header name may consist of. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  public HttpTarget {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** A URL that is itself the credential, as chat services' incoming webhooks are; no headers. */
  public static HttpTarget of(Secret url) {
    return new HttpTarget(url, Map.of(), Secret.NONE);
  }

  /**
   * Reads {@code url} (or {@code api_url}, its other name, which the design gives every
   * channel), {@code headers}, {@code username}, {@code password} and {@code bearer_token},
   * adding every problem as a positioned error. Never null; unusable when errors were added.
   */
  public static HttpTarget parse(ChannelSettings settings, String exampleUrl) {
    String key = "url";
    if (settings.has("api_url")) {
      if (settings.has("url")) {
        settings.error("api_url", "is another name for url; give only one of them");
      } else {
        key = "api_url";
      }
    }
    Secret url = Secret.NONE;
    String userInfo = null;
    if (!settings.required(key, exampleUrl).isBlank()) {
      URI uri = settings.url(key, null);
      if (uri != null) {
        url = settings.keepSecret(Secret.of(uri.toString()));
        userInfo = uri.getRawUserInfo();
      }
    }

    Map<String, Secret> headers = new LinkedHashMap<>();
    boolean authorizationHeader = false;
    for (Map.Entry<String, String> header : settings.stringMap("headers").entrySet()) {
      String name = header.getKey();
      if (!TOKEN.matcher(name).matches()) {
        settings.error("headers", "has an invalid header name \"" + name + "\"");
      } else if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
        settings.error("headers", "must not set " + name + ": Tocsin sets it");
      } else if (header.getValue().indexOf('\r') >= 0 || header.getValue().indexOf('\n') >= 0) {
        settings.error("headers", "value of " + name + " must be a single line");
      } else {
        authorizationHeader |= name.equalsIgnoreCase("Authorization");
        headers.put(name, settings.keepSecret(Secret.of(header.getValue())));
      }
    }

    Secret authorization = settings.keepSecret(authorization(settings, key, userInfo));
    if (authorizationHeader && !authorization.isEmpty()) {
      settings.error("headers", "must not set Authorization when username, bearer_token or credentials in the URL"
          + " are given");
    }
    return new HttpTarget(url, headers, authorization);
  }

  private static Secret authorization(ChannelSettings settings, String urlKey, String userInfo) {
    boolean basic = settings.has("username") || settings.has("password");
    boolean bearer = settings.has("bearer_token");
    if (settings.has("username") && !settings.has("password")) {
      settings.error("username", "needs a password as well");
    } else if (settings.has("password") && !settings.has("username")) {
      settings.error("password", "needs a username as well");
    }
    if (basic && bearer) {
      settings.error("bearer_token", "cannot be used together with username and password; give one of them");
      return Secret.NONE;
    }
    if (userInfo != null && (basic || bearer)) {
      settings.error(urlKey, "carries credentials (user:password@); do not also give username, password or "
          + "bearer_token");
      return Secret.NONE;
    }
    if (bearer) {
      if (settings.secret("bearer_token").reveal().isBlank()) {
        settings.error("bearer_token", "must not be empty");
        return Secret.NONE;
      }
      return Secret.of("Bearer " + settings.secret("bearer_token").reveal());
    }
    if (basic) {
      return basic(settings.secret("username").reveal(), settings.secret("password").reveal());
    }
    if (userInfo != null) {
      // As Go's HTTP client (and so Alertmanager) does with http://user:password@host/.
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      String password = colon < 0 ? "" : userInfo.substring(colon + 1);
      return basic(percentDecode(user), percentDecode(password));
    }
    return Secret.NONE;
  }

  /** Undoes %XX escapes; unlike in a form, a + in a URL is a plus. */
  private static String percentDecode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Secret basic(String user, String password) {
    String pair = user + ":" + password;
    return Secret.of("Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
  }

  /** The configured URL without its credentials, which go in the Authorization header instead. */
  public URI uri() {
    return uri("");
  }

  /**
   * The configured URL without its credentials, with {@code pathSuffix} (already encoded)
   * appended to its path, as for an API under a base URL: {@code http://am:9093/prefix/} and
   * {@code /api/v2/alerts} make {@code http://am:9093/prefix/api/v2/alerts}. Encoded characters
   * in the configured URL stay as they are.
   */
  public URI uri(String pathSuffix) {
    URI uri = URI.create(url.reveal());
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!pathSuffix.isEmpty()) {
      path = path.replaceAll("/+$", "") + pathSuffix;
    }
    return URI.create(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + path
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
  }

  /**
   * How a channel reads its service's answer to a post: the status, the body (with this
   * target's secrets already taken out) and the {@code Retry-After} header or null. {@link
   * Delivery#ofHttp} is the plain reading; services that say more in their body (Discord's {@code
   * retry_after}, an error message in JSON) read it themselves.
   */
  public interface AnswerReader {
    Delivery read(int status, String body, String retryAfterHeader);
  }

  /**
   * Posts a JSON body and says how it went. Never throws: network trouble is a retry. The
   * outcome names neither the URL nor the credentials.
   */
  public Delivery postJson(HttpClient http, URI target, byte[] json, Duration timeout) {
    return postJson(http, target, json, timeout, Delivery::ofHttp);
  }

  /** As {@link #postJson(HttpClient, URI, byte[], Duration)}, the answer read by {@code reader}. */
  public Delivery postJson(HttpClient http, URI target, byte[] json, Duration timeout, AnswerReader reader) {
    return sendJson(http, "POST", target, json, timeout, reader);
  }

  /** As {@link #postJson(HttpClient, URI, byte[], Duration, AnswerReader)} with another method, such as PUT. */
  public Delivery sendJson(HttpClient http, String method, URI target, byte[] json, Duration timeout,
      AnswerReader reader) {
    HttpRequest.Builder request = HttpRequest.newBuilder(target)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("User-Agent", "Tocsin")
        .method(method, HttpRequest.BodyPublishers.ofByteArray(json));
    headers.forEach((name, value) -> request.header(name, value.reveal()));
    if (!authorization.isEmpty()) {
      request.header("Authorization", authorization.reveal());
    }
    Redactor redactor = redactor();
    Delivery delivery;
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      // Before the body is shortened, which could cut a secret where no form of it matches.
      delivery = reader.read(response.statusCode(), redactor.redact(response.body()),
          response.headers().firstValue("Retry-After").orElse(null));
    } catch (IOException e) {
      delivery = Delivery.of(e, target, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // shutting down: the notification stays in the outbox
      delivery = Delivery.retry("interrupted", null);
    }
    // Redacted here too, not only by the channel: a notifier may log an answer itself (Alertmanager's refresh).
    return delivery.redacted(redactor);
  }

  /** A service's answer as a JSON object, or null when it is none (an empty body, a proxy's HTML page). */
  public static JsonNode jsonObject(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode json = JSON.readTree(body);
      return json != null && json.isObject() ? json : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** Takes this target's URL, header values and credentials out of a text. */
  public Redactor redactor() {
    List<Secret> secrets = new ArrayList<>(headers.values());
    secrets.add(url);
    secrets.add(authorization);
    return Redactor.of(secrets);
  }
}
