package io.tocsin.notify.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiErrorResponse;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.request.chat.ChatPostMessageRequest;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.webhook.Payload;
import com.slack.api.webhook.WebhookResponse;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;
import io.tocsin.rules.AlertEvent;
import io.tocsin.yaml.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Slack channel, through Slack's Java SDK: Block Kit messages ({@link SlackMessage}) to an
 * incoming webhook, or with a bot token through {@code chat.postMessage}, where a resolution is
 * posted as a reply in the thread of the message its alert fired in ({@link SlackThreads}).
 */
public final class SlackNotifier implements Notifier {
  static final String DEFAULT_API_URL = "https://slack.com/api/";
  /** Slack allows about one message per second per channel. */
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  /** {@code ok:false} errors that are Slack's trouble rather than the request's: worth another try. */
  private static final Set<String> TRANSIENT_ERRORS =
      Set.of("ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout");
  private static final int MAX_DETAIL = 300;
  private static final String REDACTED = "<redacted>";

  /**
   * Exactly one of {@code webhookUrl} and {@code token} is set.
   *
   * @param webhookUrl an incoming webhook, whose URL is the credential; empty with a token
   * @param token a bot token with the {@code chat:write} scope; empty with a webhook
   * @param channel with a token: the channel id or name to post to; empty with a webhook
   * @param apiUrl the base of Slack's Web API methods, ending in a slash
   */
  public record Config(Secret webhookUrl, Secret token, String channel, URI apiUrl, ChannelTemplates templates) {
    boolean isWebhook() {
      return !webhookUrl.isEmpty();
    }
  }

  /** One message of a notification: top-level ({@code threadTs} null) or a reply in a thread. */
  private record Post(String threadTs, List<Alert> alerts) {}

  /**
   * The messages of the notification being sent and those already posted (by thread, "" for
   * the top-level one), so that a retry after a partial failure posts only what is missing.
   */
  private record Progress(String notificationId, List<Post> posts, Map<String, String> posted) {}

  /** A posted message's ts, or why it was not posted. */
  private record Posted(String ts, Delivery failure) {}

  private final Config config;
  private final Clock clock;
  /** For failure messages ("no answer within 10s"). */
  private final Duration requestTimeout;
  private final Slack slack;
  private final MethodsClient methods;
  private final SlackThreads threads;
  private final List<String> secrets = new ArrayList<>();
  private Progress progress;

  public static Config parse(ChannelSettings settings) {
    boolean hasWebhook = settings.has("webhook_url");
    boolean hasToken = settings.has("token");
    if (hasWebhook && hasToken) {
      settings.error("token", "cannot be used together with webhook_url; set one of them");
    } else if (!hasWebhook && !hasToken) {
      settings.error("needs webhook_url (an incoming webhook) or token and channel (a bot token with the "
          + "chat:write scope)");
    }
    Secret webhookUrl = Secret.NONE;
    String webhookText = hasWebhook ? settings.string("webhook_url", null) : null;
    if (webhookText != null && webhookText.isBlank()) {
      settings.error("webhook_url", "is empty");
    } else if (webhookText != null && settings.url("webhook_url", null) != null) {
      webhookUrl = Secret.of(webhookText.strip());
    }
    Secret token = Secret.NONE;
    String tokenText = hasToken ? settings.string("token", null) : null;
    if (tokenText != null && tokenText.isBlank()) {
      settings.error("token", "is empty");
    } else if (tokenText != null && tokenText.strip().chars().anyMatch(Character::isWhitespace)) {
      settings.error("token", "must not contain spaces or line breaks");
    } else if (tokenText != null) {
      token = Secret.of(settings.secret("token").reveal().strip());
    }
    String channel = "";
    URI apiUrl = URI.create(DEFAULT_API_URL);
    if (hasWebhook && !hasToken) {
      if (settings.has("channel")) {
        settings.error("channel", "is only used with token; an incoming webhook posts to the channel it was made for");
      }
      if (settings.has("api_url")) {
        settings.error("api_url", "is only used with token; with webhook_url the webhook URL is the endpoint");
      }
    } else if (hasToken && !hasWebhook) {
      channel = settings.required("channel", "C0123456789 or \"#alerts\"").strip();
      URI url = settings.url("api_url", null);
      if (url != null) {
        // The SDK appends the method name to this prefix.
        apiUrl = url.toString().endsWith("/") ? url : URI.create(url + "/");
      }
    }
    return new Config(webhookUrl, token, channel, apiUrl,
        ChannelTemplates.read(settings));
  }

  public static final ChannelType<Config> TYPE = new ChannelType<>("slack", ChannelTemplates.with("webhook_url", "token", "channel"),
      SlackNotifier::parse, SlackNotifier::new);

  public SlackNotifier(Config config, NotifierContext context) {
    if (config.webhookUrl().isEmpty() == config.token().isEmpty()) {
      throw new IllegalArgumentException("needs either webhook_url or token");
    }
    if (!config.isWebhook() && config.channel().isBlank()) {
      throw new IllegalArgumentException("needs channel to post to with token");
    }
    this.config = config;
    this.clock = context.clock();
    this.requestTimeout = context.requestTimeout();
    if (config.isWebhook()) {
      String url = config.webhookUrl().reveal();
      secrets.add(url);
      String path;
      try {
        path = new URI(url).getRawPath();
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("webhook_url is not a URL"); // without the value: it is the secret
      }
      if (path != null && path.length() >= 8) {
        secrets.add(path); // the credential part, in case an error shows only the path
      }
    } else {
      secrets.add(config.token().reveal());
    }
    this.slack = Slack.getInstance(sdkConfig(config.apiUrl(), context.requestTimeout()));
    this.methods = config.isWebhook() ? null : slack.methods(config.token().reveal());
    this.threads = config.isWebhook() ? null : SlackThreads.load(context.stateDir(), clock.millis());
  }

  private static SlackConfig sdkConfig(URI apiUrl, Duration requestTimeout) {
    SlackConfig sdk = new SlackConfig();
    // Without this the SDK calls auth.test before the first post to keep rate statistics.
    sdk.setStatsEnabled(false);
    // The SDK's default listener logs each request's URL and headers at debug level: that is
    // the webhook URL or the token.
    sdk.setHttpClientResponseHandlers(new ArrayList<>());
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
    sdk.setHttpClientCallTimeoutMillis(timeoutMs);
    sdk.setHttpClientReadTimeoutMillis(timeoutMs);
    sdk.setHttpClientWriteTimeoutMillis(timeoutMs);
    sdk.setMethodsEndpointUrlPrefix(apiUrl.toString());
    return sdk;
  }

  @Override
  public Duration minInterval() {
    return MIN_INTERVAL;
  }

  /** Synchronized: test messages are sent from the API's thread, next to the channel's worker. */
  @Override
  public synchronized Delivery send(Notification n) {
    Delivery delivery = config.isWebhook() ? sendToWebhook(n) : sendWithBot(n);
    String detail = delivery.detail();
    for (String secret : secrets) {
      detail = detail.replace(secret, REDACTED);
    }
    return new Delivery(delivery.outcome(), detail, delivery.retryAfter());
  }

  private Delivery sendToWebhook(Notification n) {
    SlackMessage message = SlackMessage.of(n, config.templates());
    Payload payload = Payload.builder()
        .text(message.text())
        .blocks(message.blocks())
        .attachments(message.attachments())
        .build();
    WebhookResponse response;
    try {
      response = slack.send(config.webhookUrl().reveal(), payload);
    } catch (IOException e) {
      return Delivery.of(e, URI.create(config.webhookUrl().reveal()), requestTimeout);
    }
    return Delivery.ofHttp(response.getCode(), response.getBody(), header(response.getHeaders(), "Retry-After"));
  }

  /**
   * Posts the firing and repeated alerts (and resolutions whose firing message is not known) as
   * a new message, then each thread's resolutions as a reply in that thread.
   */
  private Delivery sendWithBot(Notification n) {
    if (progress == null || !progress.notificationId().equals(n.id())) {
      progress = new Progress(n.id(), plan(n), new HashMap<>());
    }
    List<String> done = new ArrayList<>();
    for (Post post : progress.posts()) {
      String key = post.threadTs() == null ? "" : post.threadTs();
      String ts = progress.posted().get(key);
      if (ts == null) {
        Posted posted = post(n, post);
        if (posted.failure() != null) {
          if (posted.failure().outcome() == Delivery.Outcome.FAILED) {
            progress = null;
          }
          Delivery failure = posted.failure();
          String where = post.threadTs() == null ? "" : "reply in thread " + post.threadTs() + ": ";
          return new Delivery(failure.outcome(), where + failure.detail(), failure.retryAfter());
        }
        ts = posted.ts() == null ? "" : posted.ts();
        progress.posted().put(key, ts);
        remember(n, post, ts);
      }
      done.add(post.threadTs() == null ? "posted ts=" + ts : "replied in thread " + post.threadTs() + " with ts=" + ts);
    }
    progress = null;
    return Delivery.sent(String.join("; ", done));
  }

  private List<Post> plan(Notification n) {
    List<Alert> topLevel = new ArrayList<>();
    Map<String, List<Alert>> replies = new LinkedHashMap<>();
    for (Alert alert : n.alerts()) {
      SlackThreads.Parent parent =
          alert.isResolved() && !n.test() ? threads.find(alert.fingerprint(), config.channel()) : null;
      if (parent == null) {
        topLevel.add(alert);
      } else {
        replies.computeIfAbsent(parent.ts(), ts -> new ArrayList<>()).add(alert);
      }
    }
    List<Post> posts = new ArrayList<>();
    if (!topLevel.isEmpty()) {
      posts.add(new Post(null, topLevel));
    }
    replies.forEach((ts, alerts) -> posts.add(new Post(ts, alerts)));
    return posts;
  }

  private Posted post(Notification n, Post post) {
    Notification part = post.alerts().size() == n.alerts().size() ? n : n.withAlerts(post.alerts());
    SlackMessage message = SlackMessage.of(part, config.templates());
    ChatPostMessageRequest request = ChatPostMessageRequest.builder()
        .channel(config.channel())
        .threadTs(post.threadTs())
        .text(message.text())
        .blocks(message.blocks())
        .attachments(message.attachments())
        .build();
    ChatPostMessageResponse response;
    try {
      response = methods.chatPostMessage(request);
    } catch (IOException e) {
      return new Posted(null, Delivery.of(e, config.apiUrl(), requestTimeout));
    } catch (SlackApiException e) {
      // A non-2xx answer: 429 (with Retry-After) and 5xx are retried, other 4xx fail.
      SlackApiErrorResponse error = e.getError();
      String body = error != null && error.getError() != null ? error.getError() : e.getResponseBody();
      return new Posted(null, Delivery.ofHttp(e.getResponse().code(), body, e.getResponse().header("Retry-After")));
    }
    if (response.isOk()) {
      return new Posted(response.getTs(), null);
    }
    StringBuilder detail = new StringBuilder("Slack error: ").append(response.getError());
    if (response.getNeeded() != null) {
      detail.append(" (needs scope ").append(response.getNeeded()).append(')');
    }
    if (response.getResponseMetadata() != null && response.getResponseMetadata().getMessages() != null
        && !response.getResponseMetadata().getMessages().isEmpty()) {
      detail.append(": ").append(String.join("; ", response.getResponseMetadata().getMessages()));
    }
    String text = shorten(detail.toString());
    return new Posted(null, TRANSIENT_ERRORS.contains(response.getError())
        ? Delivery.retry(text, null) : Delivery.failed(text));
  }

  /** Keeps the threads up to date after a message was posted. */
  private void remember(Notification n, Post post, String ts) {
    if (n.test()) {
      return;
    }
    long now = clock.millis();
    for (Alert alert : post.alerts()) {
      if (alert.isResolved()) {
        threads.forget(alert.fingerprint());
      } else if (ts == null || ts.isEmpty()) {
        continue; // Slack always answers a ts; without one there is nothing to thread under
      } else if (alert.status() == AlertEvent.Type.REPEAT) {
        threads.renew(alert.fingerprint(), config.channel(), ts, now);
      } else {
        threads.remember(alert.fingerprint(), config.channel(), ts, now);
      }
    }
    threads.save(now);
  }

  private static String header(Map<String, List<String>> headers, String name) {
    if (headers == null) {
      return null;
    }
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (name.equalsIgnoreCase(e.getKey()) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  private static String shorten(String text) {
    return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "…";
  }
}
