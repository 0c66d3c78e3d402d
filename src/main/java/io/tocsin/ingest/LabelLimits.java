package io.tocsin.ingest;

import io.tocsin.store.Labels;

/**
 * Bounds on the labels a data point may bring, so that no point makes a series of unbounded
 * size. A point over a bound is rejected alone, with the bound named in the partial success.
 *
 * <p>The defaults are chosen never to refuse what OpenTelemetry SDKs send: they cap attributes
 * at 128 per point (their own default limit), and a resource of a Kubernetes pod with host,
 * process and SDK attributes has 20 to 40 (Mimir's 30 labels per series would refuse those).
 * Names: Mimir's 1024 characters. Values: 16 KiB, eight times Mimir's 2048, since resources
 * carry long values such as {@code process.command_line}.
 *
 * @param maxNameLength longest label key, in characters, after normalisation
 * @param maxValueLength longest label value and metric name, in characters
 * @param maxLabelsPerSeries labels of a series: resource and point attributes after merging
 * @param maxAttributesPerPoint attributes of one data point as sent, before merging; checked
 *     first, so a point with 100,000 attributes costs no label building
 */
public record LabelLimits(int maxNameLength, int maxValueLength, int maxLabelsPerSeries, int maxAttributesPerPoint) {
  public static final LabelLimits DEFAULT = new LabelLimits(1024, 16 * 1024, 128, 128);

  /** A broken limit, and how it was broken, for the partial-success message. */
  record Violation(RejectReason reason, String detail) {}

  /** Null when a point may have {@code attributes} attributes. */
  Violation checkAttributes(int attributes) {
    return attributes <= maxAttributesPerPoint
        ? null : new Violation(RejectReason.TOO_MANY_ATTRIBUTES, attributes + " attributes");
  }

  /** Null when {@code labels} may be a series' labels. */
  Violation check(Labels labels) {
    if (labels.size() > maxLabelsPerSeries) {
      return new Violation(RejectReason.TOO_MANY_LABELS, labels.size() + " labels");
    }
    for (int i = 0; i < labels.size(); i++) {
      String key = labels.key(i);
      if (key.length() > maxNameLength) {
        return new Violation(RejectReason.LABEL_NAME_TOO_LONG, describe(key, key));
      }
      if (labels.value(i).length() > maxValueLength) {
        return new Violation(RejectReason.LABEL_VALUE_TOO_LONG, describe(key, labels.value(i)));
      }
    }
    return null;
  }

  private static String describe(String key, String tooLong) {
    return "label \"" + RejectionTally.shorten(key, 64) + "\", " + tooLong.length() + " characters";
  }
}
