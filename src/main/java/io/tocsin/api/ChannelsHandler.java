package io.tocsin.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.NotificationDispatcher;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code GET /api/v1/channels} and {@code POST /api/v1/channels/{name}/test}. */
final class ChannelsHandler {
  private final NotificationDispatcher notifications;

  ChannelsHandler(NotificationDispatcher notifications) {
    this.notifications = notifications;
  }

  void list(Context ctx) {
    ctx.json(Map.of("channels", notifications.channels()));
  }

  /**
   * Sends a test message now and reports the channel's answer: 200 when it took it, 502 when it
   * did not (the channel, not Tocsin, failed), 404 for an unknown channel.
   */
  void test(Context ctx) {
    String name = ctx.pathParam("name");
    Optional<Delivery> delivery = notifications.sendTest(name);
    if (delivery.isEmpty()) {
      ApiErrors.respond(ctx, HttpStatus.NOT_FOUND, "no channel named \"" + name + "\"; channels are "
          + notifications.channels());
      return;
    }
    Delivery d = delivery.get();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("channel", name);
    body.put("outcome", d.outcome().id());
    body.put("detail", d.detail());
    if (!d.isSent()) {
      body.put("error", "the channel did not accept the test message: " + d.detail());
    }
    ctx.status(d.isSent() ? HttpStatus.OK : HttpStatus.BAD_GATEWAY).json(body);
  }
}
