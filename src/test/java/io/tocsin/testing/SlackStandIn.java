package io.tocsin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local HTTP server standing in for a Slack incoming webhook: answers {@code 200 ok} to every
 * POST and remembers each message's title ({@code text}), so that a test can count what reached
 * "Slack" from any number of Tocsin processes.
 */
public final class SlackStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TITLE = Pattern.compile("^\\[(FIRING|RESOLVED)[^\\]]*\\] (.*)$");

  /** One message: {@code FIRING} or {@code RESOLVED}, and the rest of its title (monitor and labels). */
  public record Message(String status, String subject, long receivedAtMs) {}

  private final Javalin app;
  private final List<Message> messages = new ArrayList<>();

  public SlackStandIn() {
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.routes.post("/*", this::handle);
    }).start("127.0.0.1", 0);
  }

  /** A webhook URL of this server, for a {@code slack} channel's {@code webhook_url}. */
  public String webhookUrl() {
    return "http://127.0.0.1:" + app.port() + "/services/T0000/B0000/cluster-test";
  }

  private void handle(Context ctx) throws IOException {
    JsonNode body = JSON.readTree(ctx.body());
    String text = body.path("text").asText("");
    Matcher m = TITLE.matcher(text);
    synchronized (this) {
      messages.add(m.matches() ? new Message(m.group(1), m.group(2), System.currentTimeMillis())
          : new Message("OTHER", text, System.currentTimeMillis()));
    }
    ctx.result("ok");
  }

  public synchronized List<Message> messages() {
    return List.copyOf(messages);
  }

  /** The messages with this status whose title contains {@code subject}. */
  public synchronized List<Message> messages(String status, String subject) {
    return messages.stream().filter(m -> m.status().equals(status) && m.subject().contains(subject)).toList();
  }

  @Override
  public void close() {
    app.stop();
  }
}
