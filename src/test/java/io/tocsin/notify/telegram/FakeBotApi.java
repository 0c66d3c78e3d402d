package io.tocsin.notify.telegram;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local stand-in for the Telegram Bot API: answers {@code POST /bot<token>/sendMessage} as the
 * test tells it to and records every request. Any other path gets a 404 that echoes the path,
 * as many proxies and frameworks do, which is how a token in a URL ends up in an error body.
 */
final class FakeBotApi implements AutoCloseable {
  record Request(String method, String path, String contentType, String body) {}

  static final String OK = """
      {"ok":true,"result":{"message_id":42,"chat":{"id":-100123,"type":"supergroup"},"date":1772366400,"text":"x"}}""";

  private final Javalin app;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile Handler answer = ctx -> ctx.status(200).contentType("application/json").result(OK);

  FakeBotApi(String token) {
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      String sendMessage = "/bot" + token + "/sendMessage";
      cfg.routes.post(sendMessage, ctx -> {
        record(ctx);
        answer.handle(ctx);
      });
      cfg.routes.error(404, "*", ctx -> {
        if (!ctx.path().equals(sendMessage)) { // a 404 the test asked for keeps its body
          record(ctx);
          ctx.contentType("text/plain").result("Cannot " + ctx.method() + " " + ctx.path());
        }
      });
    }).start("127.0.0.1", 0);
  }

  private void record(Context ctx) {
    requests.add(new Request(ctx.method().name(), ctx.path(), ctx.contentType(), ctx.body()));
  }

  /** Every following request is answered with this status, JSON body and headers. */
  void answer(int status, String json, Map<String, String> headers) {
    answer = ctx -> {
      headers.forEach(ctx::header);
      ctx.status(status).contentType("application/json").result(json);
    };
  }

  /** Every following request is answered by this handler. */
  void answerWith(Handler handler) {
    answer = handler;
  }

  String url() {
    return "http://127.0.0.1:" + app.port();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    app.stop();
  }
}
