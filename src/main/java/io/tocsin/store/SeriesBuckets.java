package io.tocsin.store;

/**
 * One scalar series' value per bucket of a {@link BucketGrid}: for counters the sum of increases,
 * for gauges and additive sums the last value. {@code NaN} marks a bucket without a value.
 */
public record SeriesBuckets(String metric, Labels labels, MetricKind kind, BucketGrid grid, double[] values) {}
