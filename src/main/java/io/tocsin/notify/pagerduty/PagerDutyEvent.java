package io.tocsin.notify.pagerduty;

import static io.tocsin.notify.Messages.cut;
import static io.tocsin.notify.Messages.isWebUrl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One alert as a PagerDuty Events API v2 event: {@code trigger} for a firing or repeated alert,
 * {@code resolve} for a resolution, both with the alert's {@link AlertKeys key} as {@code
 * dedup_key}, so PagerDuty opens one incident per group and closes that one. A repeat is a trigger
 * with the same key, which PagerDuty adds to the open incident.
 *
 * <p>Everything is plain text in JSON (PagerDuty renders none of it as markup), so nothing needs
 * escaping beyond JSON's. Limits (Events API v2): {@code summary} at most 1,024 characters, the
 * whole event at most 512 KB; label and annotation values in {@code custom_details} are cut to
 * {@link #MAX_DETAIL} characters each, which keeps any real alert far below that.
 *
 * <p>Templates render once per event, for a notification of that one alert (so {@code alerts},
 * {@code firing} and {@code common_labels} are the alert's own): a {@code title} template replaces
 * the {@code summary}, a {@code text} template the {@code description} in {@code custom_details}
 * (cut to {@link #MAX_TEXT}). A resolve event carries neither.
 */
final class PagerDutyEvent {
  static final int MAX_SUMMARY = 1024;
  static final int MAX_DETAIL = 1024;
  static final int MAX_TEXT = 16_384;

  private PagerDutyEvent() {}

  static ObjectNode trigger(Notification n, Alert alert, Severity severity) {
    return trigger(n, alert, severity, ChannelTemplates.NONE);
  }

  static ObjectNode trigger(Notification all, Alert alert, Severity severity, ChannelTemplates templates) {
    // An event is about one alert: of an aggregating route's group, described by that alert's monitor.
    Notification n = all.withAlerts(List.of(alert));
    Notification one = n;
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("event_action", "trigger");
    event.put("dedup_key", AlertKeys.of(n, alert));
    ObjectNode payload = event.putObject("payload");
    payload.put("summary", cut(templates.title(one, () -> summary(n, alert)), MAX_SUMMARY));
    payload.put("source", "Tocsin");
    payload.put("severity", severity.id());
    long at = alert.firedAt() > 0 ? alert.firedAt() : alert.at();
    payload.put("timestamp", Instant.ofEpochMilli(at).toString());
    payload.put("group", n.monitorId());
    payload.put("class", cut(n.monitor(), MAX_DETAIL));
    ObjectNode details = payload.putObject("custom_details");
    details.put("state", Messages.state(n, alert));
    String text = templates.text(one);
    // A test alert's value and threshold are made up; describing them would only confuse.
    details.put("description", text != null ? cut(text, MAX_TEXT)
        : n.test() ? "A test message sent on request: nothing is wrong." : Messages.describe(n, alert));
    ObjectNode labels = details.putObject("labels");
    n.labelsOf(alert).forEach((k, v) -> labels.put(k, cut(v, MAX_DETAIL)));
    if (!alert.annotations().isEmpty()) {
      ObjectNode annotations = details.putObject("annotations");
      alert.annotations().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> annotations.put(e.getKey(), cut(e.getValue(), MAX_DETAIL)));
    }
    event.put("client", "Tocsin");
    if (isWebUrl(n.link())) {
      event.put("client_url", n.link());
    }
    String runbook = alert.annotations().getOrDefault("runbook_url", "").strip();
    if (isWebUrl(runbook)) {
      event.putArray("links").addObject().put("href", runbook).put("text", "Runbook");
    }
    return event;
  }

  static ObjectNode resolve(Notification n, Alert alert) {
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("event_action", "resolve");
    event.put("dedup_key", AlertKeys.of(n, alert));
    return event;
  }

  /** {@code [FIRING] Redis shard is down {node="n1"}: Shard n1 is down} (the summary annotation, when given). */
  static String summary(Notification n, Alert alert) {
    String title = Messages.title(n.withAlerts(List.of(alert)));
    String summary = alert.annotations().getOrDefault("summary", "").strip();
    return summary.isEmpty() ? title : title + ": " + summary;
  }
}
