package io.tocsin.notify.telegram;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.HttpTarget;
import io.tocsin.notify.NetworkFailures;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;
import io.tocsin.yaml.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Sends each notification as one message through the Telegram Bot API's {@code sendMessage},
 * in HTML parse mode (see {@link TelegramMessage}).
 *
 * <p>The bot token is part of the request's path, so it could leak through anything that shows
 * the URL: exception messages of the HTTP client, or an error page of a proxy that echoes the
 * path. Everything that leaves this class as a detail has the token replaced.
 */
public final class TelegramNotifier implements Notifier {
  static final String DEFAULT_API_URL = "https://api.telegram.org";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** As @BotFather issues them: the bot's numeric id, a colon, and a URL-safe secret. */
  private static final Pattern TOKEN = Pattern.compile("[0-9]+:[A-Za-z0-9_-]+");
  private static final Pattern NUMERIC_CHAT = Pattern.compile("-?[0-9]{1,18}");
  /** Public chat usernames: 4 to 32 letters, digits and underscores, starting with a letter. */
  private static final Pattern USERNAME_CHAT = Pattern.compile("@[A-Za-z][A-Za-z0-9_]{3,31}");
  private static final String REDACTED = "<redacted>";

  /**
   * @param chatId a numeric chat id (negative for groups, supergroups and channels) or a
   *     public {@code @username}
   * @param messageThreadId the forum topic to post in, or 0 for the chat itself
   */
  public record Config(Secret botToken, String chatId, int messageThreadId, URI apiUrl, ChannelTemplates templates) {
    /** Without templates: Tocsin's default message. */
    public Config(Secret botToken, String chatId, int messageThreadId, URI apiUrl) {
      this(botToken, chatId, messageThreadId, apiUrl, ChannelTemplates.NONE);
    }
  }

  private final Config config;
  private final NotifierContext context;
  private final URI sendMessage;

  public static final ChannelType<Config> TYPE = new ChannelType<>("telegram", ChannelTemplates.with("bot_token", "chat_id", "message_thread_id"),
      TelegramNotifier::parse, TelegramNotifier::new);

  public TelegramNotifier(Config config, NotifierContext context) {
    this.config = config;
    this.context = context;
    String base = config.apiUrl().toString().replaceAll("/+$", "");
    try {
      sendMessage = URI.create(base + "/bot" + config.botToken().reveal() + "/sendMessage");
    } catch (IllegalArgumentException e) {
      // The exception's message would show the URL, token included.
      throw new IllegalArgumentException("api_url and bot_token do not make a valid URL");
    }
  }

  public static Config parse(ChannelSettings settings) {
    URI apiUrl = settings.url("api_url", DEFAULT_API_URL);
    String token = settings.required("bot_token", "\"${TELEGRAM_BOT_TOKEN}\"");
    if (!token.isEmpty() && !TOKEN.matcher(token.strip()).matches()) {
      // Never show the value: it is a secret even when malformed.
      settings.error("bot_token",
          "must be a bot token as @BotFather gives it, such as 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw");
    }
    String chatId = settings.required("chat_id", "-1001234567890 or \"@mychannel\"").strip();
    if (!chatId.isEmpty() && !isChatId(chatId)) {
      settings.error("chat_id", "must be a chat id such as -1001234567890 or a public chat's username such as"
          + " \"@mychannel\", got \"" + chatId + "\"");
    }
    int thread = 0;
    String threadText = settings.string("message_thread_id", null);
    if (threadText != null) {
      try {
        thread = Integer.parseInt(threadText.strip());
      } catch (NumberFormatException e) {
        thread = -1;
      }
      if (thread <= 0) {
        settings.error("message_thread_id", "must be a forum topic's id, a whole number of at least 1, got \""
            + threadText + "\"");
        thread = 0;
      }
    }
    return new Config(Secret.of(token.strip()), chatId, thread,
        apiUrl == null ? URI.create(DEFAULT_API_URL) : apiUrl, ChannelTemplates.read(settings));
  }

  private static boolean isChatId(String chatId) {
    return USERNAME_CHAT.matcher(chatId).matches()
        || NUMERIC_CHAT.matcher(chatId).matches() && Long.parseLong(chatId) != 0;
  }

  @Override
  public Delivery send(Notification n) {
    HttpRequest.Builder request = HttpRequest.newBuilder(sendMessage)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(payload(n), StandardCharsets.UTF_8));
    if (context.requestTimeout() != null) {
      request.timeout(context.requestTimeout());
    }
    HttpResponse<String> response;
    try {
      response = context.http().send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Delivery.retry(redact(NetworkFailures.describe(e, NetworkFailures.hostAndPort(sendMessage),
          context.requestTimeout())), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Delivery.retry("interrupted while sending", null);
    }
    return answer(response.statusCode(), response.body(), response.headers().firstValue("Retry-After").orElse(null));
  }

  /** The {@code sendMessage} parameters, as JSON. */
  private String payload(Notification n) {
    ObjectNode body = JSON.createObjectNode();
    if (NUMERIC_CHAT.matcher(config.chatId()).matches()) {
      body.put("chat_id", Long.parseLong(config.chatId()));
    } else {
      body.put("chat_id", config.chatId());
    }
    if (config.messageThreadId() > 0) {
      body.put("message_thread_id", config.messageThreadId());
    }
    body.put("text", TelegramMessage.format(n, config.templates()));
    body.put("parse_mode", "HTML");
    body.put("disable_web_page_preview", true);
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e); // a tree of strings always serializes
    }
  }

  /**
   * Classifies the Bot API's answer, {@code {"ok":false,"error_code":429,"description":"Too Many
   * Requests: retry after 5","parameters":{"retry_after":5}}}, as any HTTP answer (429 and 5xx
   * retried, other 4xx failed), with Telegram's description as the detail. Telegram says when to
   * retry in {@code parameters.retry_after}; a proxy in between may say it in {@code Retry-After}.
   */
  private Delivery answer(int status, String body, String retryAfterHeader) {
    JsonNode json = HttpTarget.jsonObject(body);
    if (json == null) {
      return Delivery.ofHttp(status, redact(body), retryAfterHeader);
    }
    boolean ok = json.path("ok").asBoolean(false);
    if (ok && status >= 200 && status < 300) {
      JsonNode messageId = json.path("result").path("message_id");
      return Delivery.sent("HTTP " + status + (messageId.isIntegralNumber() ? ": message_id " + messageId.asLong() : ""));
    }
    String description = redact(json.path("description").asText(""));
    JsonNode parameters = json.path("parameters");
    if (parameters.path("migrate_to_chat_id").isIntegralNumber()) {
      description += " (set chat_id to " + parameters.path("migrate_to_chat_id").asLong() + ")";
    }
    if (status >= 200 && status < 300) {
      return Delivery.failed("HTTP " + status + ": not ok" + (description.isEmpty() ? "" : ": " + description));
    }
    Delivery delivery = Delivery.ofHttp(status, description, retryAfterHeader);
    JsonNode retryAfter = parameters.path("retry_after");
    if (delivery.outcome() == Delivery.Outcome.RETRY && retryAfter.isIntegralNumber() && retryAfter.asLong() >= 0) {
      return Delivery.retry(delivery.detail(), Duration.ofSeconds(retryAfter.asLong()));
    }
    return delivery;
  }

  /** The text with the token taken out, also where ':' is percent-encoded. */
  private String redact(String text) {
    String token = config.botToken().reveal();
    if (text == null || token.isEmpty()) {
      return text;
    }
    return text.replace(token, REDACTED)
        .replace(token.replace(":", "%3A"), REDACTED)
        .replace(token.replace(":", "%3a"), REDACTED);
  }

  /**
   * Telegram allows about one message a second in a chat, and 20 a minute in a group. Groups,
   * supergroups and channels have negative ids; a {@code @username} may name a public group as
   * well as a channel, so it gets the group's pace too.
   */
  @Override
  public Duration minInterval() {
    boolean user = NUMERIC_CHAT.matcher(config.chatId()).matches() && !config.chatId().startsWith("-");
    return user ? Duration.ofSeconds(1) : Duration.ofSeconds(3);
  }

  @Override
  public String toString() {
    return "TelegramNotifier[chat_id=" + config.chatId() + ", api_url=" + config.apiUrl() + "]";
  }
}
