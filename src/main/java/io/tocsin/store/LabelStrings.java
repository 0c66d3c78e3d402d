package io.tocsin.store;

/**
 * The store's canonical copies of label values: a fixed table of recently seen strings, indexed
 * by hash, one string per slot. Values that repeat across series (a cluster, a host, a job) are
 * met again before their slot is taken, so their series share one copy; a value unique to one
 * series (an instance id) only passes through a slot, and is freed with its series once another
 * value takes the slot. {@link String#intern()} kept every value ever seen in the JVM's string
 * table, outside the heap, until the last series holding it was collected and the table swept:
 * about 50 bytes of resident memory per unique value, and a native lookup per label at snapshot
 * load. This table is 512 KiB of heap, however many series there are.
 *
 * <p>Threads share the table without locks: a slot holds a reference to an immutable string, so
 * a racing reader sees either string whole, and a lost write only costs a duplicate copy.
 */
final class LabelStrings {
  /** Slots, a power of two: enough that the few thousand values that repeat rarely evict each other. */
  private static final int SLOTS = 1 << 17;

  private static final String[] TABLE = new String[SLOTS];

  private LabelStrings() {}

  /** The table's string equal to {@code s}, or {@code s} itself, which then takes the slot. */
  static String canonical(String s) {
    int h = s.hashCode();
    int i = (h ^ (h >>> 17)) & (SLOTS - 1);
    String held = TABLE[i];
    if (held != null && held.equals(s)) {
      return held;
    }
    TABLE[i] = s;
    return s;
  }
}
