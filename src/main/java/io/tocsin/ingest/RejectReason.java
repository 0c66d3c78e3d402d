package io.tocsin.ingest;

/** Why a data point was not stored; {@link #id} labels the self-metric, the phrase the message. */
public enum RejectReason {
  MISSING_VALUE("missing_value", "with no value"),
  ZERO_TIMESTAMP("zero_timestamp", "with time_unix_nano 0"),
  UNSPECIFIED_TEMPORALITY("unspecified_temporality", "with unspecified aggregation temporality"),
  UNKNOWN_DATA_KIND("unknown_data_kind", "of a metric without data of a known kind"),
  INVALID_NAME("invalid_name", "of a metric whose name is empty after normalisation"),
  INVALID_LABEL("invalid_label", "with a metric or label name that is not a Prometheus name ([a-zA-Z_][a-zA-Z0-9_]*)"),
  UNSUPPORTED_SAMPLE("unsupported_sample", "of a kind Tocsin does not store (native histograms)"),
  INVALID_HISTOGRAM("invalid_histogram", "with bucket counts that do not fit the bucket bounds"),
  INCOMPLETE_HISTOGRAM("incomplete_histogram",
      "of a histogram whose buckets did not all arrive in one request (no le=\"+Inf\" bucket)"),
  INVALID_VALUE("invalid_value", "with a negative, NaN or infinite value in a monotonic sum"),
  OUT_OF_ORDER("out_of_order", "at or before the last sample of their series"),
  TOO_OLD("too_old", "older than the retention window"),
  TOO_NEW("too_new", "more than 10m ahead of the receiver's clock"),
  SERIES_LIMIT("series_limit", "over the series limit (limits.max_series)"),
  METRIC_SERIES_LIMIT("metric_series_limit", "over the per-metric series limit (limits.max_series_per_metric)"),
  KIND_CONFLICT("kind_conflict", "of a metric that already exists with another kind"),
  TOO_MANY_ATTRIBUTES("too_many_attributes", "with more attributes than limits.max_attributes_per_point"),
  TOO_MANY_LABELS("too_many_labels", "with more labels (resource and point) than limits.max_labels_per_series"),
  LABEL_NAME_TOO_LONG("label_name_too_long", "with a label name longer than limits.max_label_name_length"),
  LABEL_VALUE_TOO_LONG("label_value_too_long",
      "with a label value or metric name longer than limits.max_label_value_length");

  private final String id;
  private final String phrase;

  RejectReason(String id, String phrase) {
    this.id = id;
    this.phrase = phrase;
  }

  public String id() {
    return id;
  }

  String phrase() {
    return phrase;
  }
}
