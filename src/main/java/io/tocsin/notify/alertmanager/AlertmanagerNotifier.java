package io.tocsin.notify.alertmanager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.notify.Alert;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.ChannelType;
import io.tocsin.notify.Delivery;
import io.tocsin.notify.HttpTarget;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Notifier;
import io.tocsin.notify.NotifierContext;
import io.tocsin.util.Durations;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code alertmanager} channel: hands alerts to a Prometheus Alertmanager through {@code POST
 * /api/v2/alerts}, as Prometheus does, and lets Alertmanager route, group, silence and notify.
 *
 * <p>Alertmanager resolves an alert by itself once its {@code endsAt} has passed, so a firing
 * alert is posted with {@code endsAt} {@link #VALIDITY} ahead and posted again every {@link
 * #REFRESH_INTERVAL} (from {@link #tick}) while it fires: if Tocsin stops, its alerts expire
 * instead of firing forever. This is Prometheus's scheme (resend every minute, valid for four
 * evaluation intervals). A resolution is posted with {@code endsAt} = the time it resolved. The
 * alerts to refresh survive restarts in the channel's state directory.
 */
public final class AlertmanagerNotifier implements Notifier {
  private static final Logger log = LoggerFactory.getLogger(AlertmanagerNotifier.class);
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration REFRESH_INTERVAL = Duration.ofMinutes(1);
  /** How far ahead a firing alert's {@code endsAt} is set: three refreshes may fail before it expires. */
  static final Duration VALIDITY = REFRESH_INTERVAL.multipliedBy(4);
  /** After a failed refresh, the next try comes sooner than a regular refresh. */
  static final Duration RETRY_INTERVAL = Duration.ofSeconds(15);
  static final String PATH = "/api/v2/alerts";

  private final HttpTarget target;
  private final URI alertsUri;
  private final NotifierContext context;
  private final FiringAlerts firing;
  // Only the worker's thread ticks.
  private long nextRefreshAt;
  private boolean refreshFailing;

  /** The channel's settings; {@code url} is Alertmanager's base URL; prints no URL or credential. */
  public record Config(HttpTarget target) {}

  public static final ChannelType<Config> TYPE = new ChannelType<>("alertmanager", HttpTarget.KEYS,
      AlertmanagerNotifier::parse, AlertmanagerNotifier::new);

  public AlertmanagerNotifier(Config config, NotifierContext context) {
    this.target = config.target();
    // Under the base URL, which may have a path: Alertmanager's --web.route-prefix.
    this.alertsUri = target.uri(PATH);
    this.context = context;
    this.firing = FiringAlerts.load(context.stateDir().resolve("firing-alerts.json"), JSON);
  }

  public static Config parse(ChannelSettings settings) {
    HttpTarget target = HttpTarget.parse(settings, "http://alertmanager:9093");
    String key = settings.has("url") ? "url" : "api_url";
    if (!target.url().isEmpty()) {
      String path = target.uri().getPath();
      if (path.matches(".*/api/v[12]/alerts/?")) {
        settings.error(key, "is Alertmanager's base URL, such as http://alertmanager:9093; leave out "
            + path.substring(path.indexOf("/api/")));
      }
    }
    if (!settings.bool("send_resolved", true)) {
      // Without resolutions the refresh would keep resolved alerts firing in Alertmanager forever.
      settings.error("send_resolved", "must stay true for Alertmanager, which learns only from Tocsin that an alert"
          + " resolved; whether its receivers hear of resolutions is their send_resolved in Alertmanager");
    }
    return new Config(target);
  }

  /**
   * Posts the notification's alerts. Resolved ones leave the refresh set before the post, so
   * that even if it never gets through, Alertmanager lets them expire; firing ones join it once
   * Alertmanager has taken them. A test message's alert expires by itself after {@link
   * #VALIDITY} and is never refreshed.
   */
  @Override
  public Delivery send(Notification n) {
    long now = context.clock().millis();
    List<PostableAlert> body = new ArrayList<>();
    List<PostableAlert.Firing> nowFiring = new ArrayList<>();
    List<String> resolved = new ArrayList<>();
    for (Alert alert : n.alerts()) {
      PostableAlert.Firing f = PostableAlert.Firing.of(n, alert);
      if (alert.isResolved()) {
        resolved.add(alert.fingerprint());
        body.add(f.until(alert.resolvedAt() > 0 ? alert.resolvedAt() : alert.at()));
      } else {
        PostableAlert.Firing before = firing.get(alert.fingerprint());
        if (before != null && !before.labels().equals(f.labels())) {
          // Another severity level is another label set to Alertmanager: the one it had ends now.
          body.add(before.until(alert.at()));
        }
        nowFiring.add(f);
        body.add(f.until(endsAt(now, f)));
      }
    }
    if (!n.test()) {
      firing.update(List.of(), resolved);
    }
    Delivery delivery = post(body);
    if (delivery.isSent() && !n.test()) {
      firing.update(nowFiring, List.of());
    }
    return delivery;
  }

  /** Re-posts the firing alerts with a later {@code endsAt} when a refresh is due. */
  @Override
  public void tick(long nowMs) {
    if (nowMs < nextRefreshAt) {
      return;
    }
    List<PostableAlert.Firing> all = firing.all();
    if (all.isEmpty()) {
      nextRefreshAt = nowMs + REFRESH_INTERVAL.toMillis();
      return;
    }
    Delivery delivery = post(all.stream().map(f -> f.until(endsAt(nowMs, f))).toList());
    if (delivery.isSent()) {
      nextRefreshAt = nowMs + REFRESH_INTERVAL.toMillis();
      if (refreshFailing) {
        log.info("refreshed {} firing alerts in Alertmanager again", all.size());
        refreshFailing = false;
      }
    } else {
      nextRefreshAt = nowMs + RETRY_INTERVAL.toMillis();
      if (!refreshFailing) {
        // Logged once per outage, not on every try.
        log.warn("cannot refresh {} firing alerts in Alertmanager; they expire {} after their last refresh unless a"
            + " retry gets through: {}", all.size(), Durations.format(VALIDITY), delivery.detail());
        refreshFailing = true;
      }
    }
  }

  /** {@link #VALIDITY} from now, and never before the alert starts, which Alertmanager would refuse. */
  private static long endsAt(long now, PostableAlert.Firing f) {
    return Math.max(now, f.startsAt()) + VALIDITY.toMillis();
  }

  private Delivery post(List<PostableAlert> alerts) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(alerts);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the alerts", e); // strings and maps only: a bug
    }
    return target.postJson(context.http(), alertsUri, body, context.requestTimeout());
  }
}
