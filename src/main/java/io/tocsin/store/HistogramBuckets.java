package io.tocsin.store;

/** One histogram series' samples merged per bucket of a {@link BucketGrid}; null where none. */
public record HistogramBuckets(String metric, Labels labels, BucketGrid grid, HistogramSample[] buckets) {}
