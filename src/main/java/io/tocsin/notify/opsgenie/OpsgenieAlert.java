package io.tocsin.notify.opsgenie;

import static io.tocsin.notify.Messages.cut;
import static io.tocsin.notify.Messages.isWebUrl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tocsin.notify.Alert;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.ChannelTemplates;
import io.tocsin.notify.Html;
import io.tocsin.notify.Messages;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Severity;
import java.util.List;

/**
 * One alert as Opsgenie's Alert API v2 takes it: a create request with the alert's {@link AlertKeys
 * key} as {@code alias} (Opsgenie keeps one open alert per alias, so a repeat only raises its
 * count), and a close request by that alias for a resolution.
 *
 * <p>Opsgenie renders HTML in {@code message} and {@code description}, so both are HTML-escaped.
 * Limits (Alert API): {@code message} 130 characters, {@code description} 15,000, {@code alias} and
 * {@code entity} 512, {@code source} 100; detail values are cut to {@link #MAX_DETAIL}.
 *
 * <p>Templates render once per alert, for a notification of that one alert (so {@code alerts},
 * {@code firing} and {@code common_labels} are the alert's own): a {@code title} template replaces
 * the {@code message}, a {@code text} template the {@code description} but its last line, the
 * link to the monitor; both HTML-escaped like the default. A close request's note stays Tocsin's.
 */
final class OpsgenieAlert {
  static final int MAX_MESSAGE = 130;
  static final int MAX_DESCRIPTION = 15_000;
  static final int MAX_ENTITY = 512;
  static final int MAX_DETAIL = 1024;

  private OpsgenieAlert() {}

  /** Opsgenie's priorities: critical P1, error P2, warning P3, info P5 (P4 stays free for people). */
  static String priority(Severity severity) {
    return switch (severity) {
      case CRITICAL -> "P1";
      case ERROR -> "P2";
      case WARNING -> "P3";
      case INFO -> "P5";
    };
  }

  static ObjectNode create(Notification n, Alert alert, Severity severity) {
    return create(n, alert, severity, ChannelTemplates.NONE);
  }

  static ObjectNode create(Notification all, Alert alert, Severity severity, ChannelTemplates templates) {
    // An alert is about one group: of an aggregating route's group, described by that alert's monitor.
    Notification n = all.withAlerts(List.of(alert));
    Notification one = n;
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("message", Html.escape(templates.title(one), MAX_MESSAGE));
    body.put("alias", AlertKeys.of(n, alert));
    String text = templates.text(one);
    body.put("description", text == null ? Html.escape(description(n, alert), MAX_DESCRIPTION) : description(n, text));
    ObjectNode details = body.putObject("details");
    n.labelsOf(alert).forEach((k, v) -> details.put(k, cut(v, MAX_DETAIL)));
    body.put("entity", cut(n.monitor(), MAX_ENTITY));
    body.put("source", "Tocsin");
    body.put("priority", priority(severity));
    return body;
  }

  static ObjectNode close(Notification n, Alert alert) {
    return JsonNodeFactory.instance.objectNode().put("source", "Tocsin")
        .put("note", n.test() ? "Closed right away: a test message." : cut(Messages.describe(n, alert), MAX_DETAIL));
  }

  /** The rendered text, cut to leave room for the link to the monitor after it. */
  private static String description(Notification n, String text) {
    String link = isWebUrl(n.link()) ? Html.escape("\nMonitor: " + n.link()) : "";
    return Html.escape(text.stripTrailing(), MAX_DESCRIPTION - link.length()) + link;
  }

  /** What the value did and since when, the summary and description annotations, the runbook and the monitor's page. */
  private static String description(Notification n, Alert alert) {
    // A test alert's value and threshold are made up; describing them would only confuse.
    StringBuilder sb = new StringBuilder(n.test() ? "A test message sent on request: nothing is wrong."
        : Messages.describe(n, alert));
    for (String key : List.of("summary", "description", "runbook_url")) {
      String value = alert.annotations().getOrDefault(key, "").strip();
      if (!value.isEmpty()) {
        sb.append('\n').append(key.equals("runbook_url") ? "Runbook: " : "").append(value);
      }
    }
    if (isWebUrl(n.link())) {
      sb.append("\nMonitor: ").append(n.link());
    }
    return sb.toString();
  }
}
