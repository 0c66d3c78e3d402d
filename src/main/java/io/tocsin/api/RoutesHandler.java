package io.tocsin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.tocsin.notify.NotificationDispatcher;
import io.tocsin.notify.route.Route;
import io.tocsin.notify.route.Routing;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code POST /api/v1/routes/test}: which routes and channels an alert with a given label set
 * takes, like {@code amtool config routes test}, and whether a time interval mutes a route now
 * or at {@code "at"}.
 */
final class RoutesHandler {
  private static final String USAGE = "request body must be a JSON object such as {\"labels\": {\"monitor\": "
      + "\"Redis shard is down\", \"severity\": \"critical\"}, \"at\": \"2026-03-01T12:00:00Z\"} (\"at\" optional)";

  private final NotificationDispatcher notifications;
  private final Clock clock;
  private final ObjectMapper json;

  RoutesHandler(NotificationDispatcher notifications, Clock clock, ObjectMapper json) {
    this.notifications = notifications;
    this.clock = clock;
    this.json = json;
  }

  void test(Context ctx) {
    Map<String, String> labels;
    Instant at;
    try {
      JsonNode root = json.readTree(ctx.bodyAsBytes());
      if (root == null || !root.isObject() || !root.path("labels").isObject()) {
        throw new BadRequestException(USAGE);
      }
      for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!name.equals("labels") && !name.equals("at")) {
          throw new BadRequestException("unknown field \"" + name + "\"; " + USAGE);
        }
      }
      labels = labels(root.get("labels"));
      at = root.hasNonNull("at") ? Instant.parse(root.get("at").asText()) : Instant.ofEpochMilli(clock.millis());
    } catch (JsonProcessingException e) {
      ApiErrors.badRequest(ctx, "request body is not valid JSON: " + e.getOriginalMessage());
      return;
    } catch (DateTimeParseException e) {
      ApiErrors.badRequest(ctx, "\"at\" must be an RFC 3339 time such as \"2026-03-01T12:00:00Z\"");
      return;
    } catch (BadRequestException e) {
      ApiErrors.badRequest(ctx, e.getMessage());
      return;
    } catch (IOException e) {
      ApiErrors.badRequest(ctx, "cannot read the request body");
      return;
    }
    Routing routing = notifications.routing();
    List<String> declared = notifications.channels();
    List<Map<String, Object>> routes = new ArrayList<>();
    List<String> receiving = new ArrayList<>();
    for (Route route : routing.routes(labels)) {
      List<String> channels = declared.stream().filter(route::sendsTo).toList();
      String muted = routing.mutedBy(route, at);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("path", route.path());
      r.put("channels", channels);
      r.put("muted", muted);
      if (route.grouping() != null) {
        r.put("grouping", route.grouping().describe(labels));
      }
      routes.add(r);
      if (muted == null) {
        channels.stream().filter(c -> !receiving.contains(c)).forEach(receiving::add);
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("labels", labels);
    body.put("channels", declared.stream().filter(receiving::contains).toList());
    body.put("routes", routes);
    ctx.json(body);
  }

  /** The labels; {@code monitor} is taken for {@code alertname}, as in matchers. */
  private static Map<String, String> labels(JsonNode node) throws BadRequestException {
    Map<String, String> labels = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().isTextual()) {
        throw new BadRequestException("label \"" + field.getKey() + "\" must have a string value");
      }
      labels.put(field.getKey().equals("monitor") ? "alertname" : field.getKey(), field.getValue().asText());
    }
    return labels;
  }
}
