package io.tocsin.api;

import io.tocsin.notify.NotificationDispatcher;
import io.tocsin.notify.route.Route;
import io.tocsin.notify.route.Routing;
import io.tocsin.notify.silence.Silences;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the notification stage would do with an alert now, for REST and the status page: the
 * silence and the inhibit rule holding it back, and the routes it takes with their channels and
 * mute state. Asking changes nothing.
 */
final class AlertDelivery {
  private final NotificationDispatcher notifications;
  private final Silences silences;
  private final Clock clock;

  AlertDelivery(NotificationDispatcher notifications, Silences silences, Clock clock) {
    this.notifications = notifications;
    this.silences = silences;
    this.clock = clock;
  }

  /** The id of the silence covering an alert with these full labels now. */
  Optional<String> silencedBy(Map<String, String> labels) {
    return silences.silencing(labels, clock.millis());
  }

  /** Why the firing alert {@code fingerprint} with these full labels is inhibited now. */
  Optional<String> inhibitedBy(String fingerprint, Map<String, String> labels) {
    return notifications.inhibitedBy(fingerprint, labels);
  }

  /** The routes an alert with these full labels takes now: {@link #routes(Map, Instant)}. */
  List<Map<String, Object>> routes(Map<String, String> labels) {
    return routes(labels, Instant.ofEpochMilli(clock.millis()));
  }

  /**
   * The routes an alert with these full labels takes at {@code at}, in the order it takes them:
   * each with its {@code path}, the declared {@code channels} it sends to, {@code muted}, the
   * time interval that keeps it quiet then (null when it sends), and its {@code grouping} when it
   * aggregates (settings and the group the alert joins).
   */
  List<Map<String, Object>> routes(Map<String, String> labels, Instant at) {
    Routing routing = notifications.routing();
    List<String> declared = notifications.channels();
    List<Map<String, Object>> routes = new ArrayList<>();
    for (Route route : routing.routes(labels)) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("path", route.path());
      r.put("channels", declared.stream().filter(route::sendsTo).toList());
      r.put("muted", routing.mutedBy(route, at));
      if (route.grouping() != null) {
        r.put("grouping", route.grouping().describe(labels));
      }
      routes.add(r);
    }
    return routes;
  }

  /** The declared channels the routes send to now, in declaration order, muted routes left out. */
  List<String> receiving(List<Map<String, Object>> routes) {
    List<String> receiving = new ArrayList<>();
    for (Map<String, Object> route : routes) {
      if (route.get("muted") == null) {
        for (Object channel : (List<?>) route.get("channels")) {
          if (!receiving.contains(channel)) {
            receiving.add((String) channel);
          }
        }
      }
    }
    return notifications.channels().stream().filter(receiving::contains).toList();
  }
}
