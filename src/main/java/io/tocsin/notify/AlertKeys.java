package io.tocsin.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Keys that tie a resolution to the incident or thread its firing opened (PagerDuty's {@code
 * dedup_key}, Opsgenie's {@code alias}, Google Chat's {@code threadKey}): derived from the monitor's
 * id and the group's labels alone, never from memory, so they are the same after a restart, on
 * another replica, and for every event of one alert. The monitor's own {@code labels:} are left
 * out: editing them must not orphan open incidents.
 */
public final class AlertKeys {
  /** 32 hex digits: 128 bits, far from any collision, and short enough for every vendor's limit. */
  static final int LENGTH = 32;

  private AlertKeys() {}

  /** {@code tocsin-} and the first 32 hex digits of SHA-256 over the monitor id and the group labels. */
  public static String of(String monitorId, Map<String, String> groupLabels) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest((monitorId + "\n" + Messages.labels(groupLabels)).getBytes(StandardCharsets.UTF_8));
      return "tocsin-" + HexFormat.of().formatHex(digest).substring(0, LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The key of one alert of a notification. */
  public static String of(Notification n, Alert alert) {
    return of(n.sourceOf(alert).monitorId(), alert.labels());
  }
}
