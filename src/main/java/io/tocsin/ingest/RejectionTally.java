package io.tocsin.ingest;

import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;

/** Counts the outcome of each data point of one request and phrases the rejections. */
final class RejectionTally {
  private final EnumMap<RejectReason, Integer> counts = new EnumMap<>(RejectReason.class);
  private final EnumMap<RejectReason, String> firstMetric = new EnumMap<>(RejectReason.class);
  private final EnumMap<RejectReason, String> firstDetail = new EnumMap<>(RejectReason.class);
  private int accepted;
  private int rejected;

  void accept() {
    accepted++;
  }

  void accept(int points) {
    accepted += points;
  }

  void reject(RejectReason reason, String metric, int points) {
    reject(reason, metric, points, null);
  }

  /** @param detail what exactly was wrong with the first such point, such as the label; or null */
  void reject(RejectReason reason, String metric, int points, String detail) {
    if (points <= 0) {
      return;
    }
    rejected += points;
    counts.merge(reason, points, Integer::sum);
    if (firstMetric.putIfAbsent(reason, metric) == null && detail != null) {
      firstDetail.put(reason, detail);
    }
  }

  /** {@code s}, cut after {@code max} characters; names sent by clients can be megabytes long. */
  static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  IngestResult result() {
    return new IngestResult(accepted, rejected, Map.copyOf(counts), message());
  }

  /**
   * For example {@code rejected 3 data points: 2 with no value (first in metric "requests"); 1
   * with time_unix_nano 0 (first in metric "latency")}.
   */
  private String message() {
    if (rejected == 0) {
      return "";
    }
    StringJoiner parts = new StringJoiner("; ", "rejected " + plural(rejected) + ": ", "");
    counts.forEach((reason, n) -> {
      String detail = firstDetail.get(reason);
      parts.add(n + " " + reason.phrase() + " (first in metric \"" + shorten(firstMetric.get(reason), 128) + "\""
          + (detail == null ? "" : ", " + detail) + ")");
    });
    return parts.toString();
  }

  private static String plural(int n) {
    return n == 1 ? "1 data point" : n + " data points";
  }
}
