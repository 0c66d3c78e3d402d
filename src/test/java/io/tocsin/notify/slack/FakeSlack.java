package io.tocsin.notify.slack;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP server standing in for Slack: {@code POST /api/chat.postMessage} answers
 * {@code {"ok":true,...}} with a new {@code ts} each time, any other POST (a webhook path) answers
 * {@code 200 ok}, unless a test queued other answers. Every request is recorded.
 */
final class FakeSlack implements AutoCloseable {
  static final String WEBHOOK_PATH = "/services/T0000/B0000/webhook-secret-XXXX";
  static final String CHANNEL_ID = "C0ALERTS";

  /** One request as the server saw it. */
  record Request(String path, String authorization, String contentType, String body, Map<String, List<String>> form) {
    /** The first value of a form field, or null. */
    String param(String name) {
      List<String> values = form.get(name);
      return values == null ? null : values.get(0);
    }
  }

  /** A scripted answer; with {@code hold}, the answer waits until the latch opens. */
  record Answer(int status, Map<String, String> headers, String body, CountDownLatch hold) {
    static Answer of(int status, String body) {
      return new Answer(status, Map.of(), body, null);
    }

    Answer withHeader(String name, String value) {
      Map<String, String> all = new LinkedHashMap<>(headers);
      all.put(name, value);
      return new Answer(status, all, body, hold);
    }
  }

  private final Javalin app;
  private final List<Request> requests = new ArrayList<>();
  private final Deque<Answer> answers = new ArrayDeque<>();
  private int nextTs = 1;

  FakeSlack() {
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.routes.post("/*", this::handle);
    }).start("127.0.0.1", 0);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + app.port();
  }

  String apiUrl() {
    return baseUrl() + "/api/";
  }

  String webhookUrl() {
    return baseUrl() + WEBHOOK_PATH;
  }

  /** Answers the next request with this instead of the default. */
  synchronized void enqueue(Answer answer) {
    answers.addLast(answer);
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The {@code ts} the next successful post will get. */
  synchronized String peekTs() {
    return ts(nextTs);
  }

  static String ts(int n) {
    return String.format(Locale.ROOT, "1772366400.%06d", n);
  }

  private void handle(Context ctx) throws InterruptedException {
    Answer answer;
    synchronized (this) {
      Map<String, List<String>> form = new LinkedHashMap<>();
      if (ctx.contentType() != null && ctx.contentType().startsWith("application/x-www-form-urlencoded")) {
        ctx.formParamMap().forEach((k, v) -> form.put(k, List.copyOf(v)));
      }
      requests.add(new Request(ctx.path(), ctx.header("Authorization"), ctx.contentType(), ctx.body(), form));
      answer = answers.pollFirst();
      if (answer == null) {
        answer = ctx.path().equals("/api/chat.postMessage")
            ? Answer.of(200, "{\"ok\":true,\"channel\":\"" + CHANNEL_ID + "\",\"ts\":\"" + ts(nextTs++) + "\"}")
            : Answer.of(200, "ok");
      }
    }
    if (answer.hold() != null) {
      answer.hold().await(30, TimeUnit.SECONDS);
    }
    answer.headers().forEach(ctx::header);
    ctx.status(answer.status()).result(answer.body());
  }

  @Override
  public void close() {
    app.stop();
  }
}
