package io.tocsin.notify;

import io.tocsin.history.AlertHistory;
import io.tocsin.notify.route.Route;
import io.tocsin.notify.silence.Silences;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the aggregation groups of a {@link NotificationDispatcher} reach its routing, silences,
 * inhibition, channels and history: the routing and the channels as they are at each call, since
 * reloads replace them.
 */
final class GroupOutlet implements AggregationGroups.Outlet {
  private final NotificationDispatcher dispatcher;
  private final Silences silences;
  private final Inhibitions inhibitions;
  private final Outbox outbox;

  GroupOutlet(NotificationDispatcher dispatcher, Silences silences, Inhibitions inhibitions, Outbox outbox) {
    this.dispatcher = dispatcher;
    this.silences = silences;
    this.inhibitions = inhibitions;
    this.outbox = outbox;
  }

  @Override
  public Route route(String path) {
    return dispatcher.routing().route(path);
  }

  @Override
  public boolean takes(Map<String, String> labels, Route route) {
    return dispatcher.routing().routes(labels).stream().anyMatch(r -> r.path().equals(route.path()));
  }

  @Override
  public AggregationGroups.Hold held(Alert alert, Map<String, String> labels, long now) {
    Optional<String> silence = silences.silencing(labels, now);
    if (silence.isPresent()) {
      return new AggregationGroups.Hold("silenced", "silenced by " + silence.get());
    }
    String inhibitor = inhibitions.inhibitedBy(alert.fingerprint(), labels);
    return inhibitor == null ? null : new AggregationGroups.Hold("inhibited", "inhibited by " + inhibitor);
  }

  @Override
  public String mutedBy(Route route, long now) {
    return dispatcher.routing().mutedBy(route, Instant.ofEpochMilli(now));
  }

  @Override
  public List<Channel> channels() {
    return dispatcher.workers().stream().map(ChannelWorker::channel).toList();
  }

  @Override
  public String nextId(long now) {
    return outbox.nextId(now);
  }

  @Override
  public void send(Notification n) {
    dispatcher.send(n);
  }

  @Override
  public void notSent(Alert alert, String channel, String type, String why) {
    Alert.Source s = alert.source();
    dispatcher.record(new AlertHistory.Entry(alert.at(), type, s.monitorId(), s.monitor(), alert.labels(),
        alert.value(), why, channel), channel, type);
  }
}
