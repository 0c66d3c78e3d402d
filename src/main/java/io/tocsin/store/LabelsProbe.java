package io.tocsin.store;

/**
 * Looks up a series by a label set that has not been built as {@link Labels}: ingest describes
 * the set straight from the request bytes, and only a series seen for the first time costs
 * strings and sorting. A probe's hash must equal the hash of the labels it matches.
 *
 * <p>Probes are compared against {@link Labels} keys inside the store's hash maps, which call
 * {@code probe.equals(labels)}; they are never stored.
 */
public abstract class LabelsProbe {
  /** The {@link Labels#hashCode} of the set this probe describes. */
  protected abstract int labelsHash();

  /** Whether {@code labels} is exactly the set this probe describes. */
  protected abstract boolean matches(Labels labels);

  @Override
  public final int hashCode() {
    return labelsHash();
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof Labels labels && matches(labels);
  }
}
