package io.tocsin.store;

/**
 * Series made as the store makes them, outside a store: for tests of the store's own form of
 * labels ({@link Family#create}), which a series is.
 */
final class StoredSeries {
  private StoredSeries() {}

  /** A family of its own, so that its key sets are not shared with those of other tests. */
  static Family family() {
    return new Family("stored_series_test", MetricKind.GAUGE, 60_000, AppendLog.NONE);
  }

  /** A series with {@code labels}, values met first held in the store's form, the others shared. */
  static Series of(Labels labels) {
    return family().create(1, labels);
  }

  /**
   * Makes {@link LabelStrings} hold the start of {@code value} (all but its last {@link
   * PackedValue#SUFFIX} chars), so that series with values of that start pack them suffixed. The
   * table is shared by every test: a series offers the start only on the table's terms (a value
   * met again keeps its slot once), and twice always takes the slot.
   */
  static void holdStartOf(String value) {
    LabelStrings.canonical(new String(PackedValue.prefix(value)));
    LabelStrings.canonical(new String(PackedValue.prefix(value)));
  }

  /** The key set of {@code names} for a series made with {@link Series#Series} or a packed one. */
  static Labels.KeySet keys(String... names) {
    return new Labels.KeySet(names, family());
  }
}
