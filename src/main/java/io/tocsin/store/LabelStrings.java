package io.tocsin.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The store's canonical copies of label values: a fixed table of recently seen strings, indexed
 * by hash, one string per slot. Values that repeat across series (a cluster, a host, a job) are
 * met again while they hold their slot, so their series share one copy; a value unique to one
 * series (an instance id) only passes through a slot, and is freed with its series once another
 * value takes the slot. {@link String#intern()} kept every value ever seen in the JVM's string
 * table, outside the heap, until the last series holding it was collected and the table swept:
 * about 50 bytes of resident memory per unique value, and a native lookup per label at snapshot
 * load. This table is 640 KiB of heap, however many series there are.
 *
 * <p>A value met again since it took its slot gets a second chance: the next other value that
 * would take the slot only clears the mark. With a value unique to each series, a million series
 * pass eight values through every slot; without the second chance one in twenty values shared by
 * a few hundred series was pushed out as often and copied again (53,000 copies, 2.5 bytes per
 * series).
 *
 * <p>Threads share the table without locks: a slot holds a reference to an immutable string or
 * byte array, or to a series whose labels (final fields) pack the value, written with release and
 * read with acquire semantics (plain moves on x86) so that a racing reader sees an array's bytes
 * whole as it sees a string's, and a lost write only costs a duplicate copy.
 */
final class LabelStrings {
  /** Slots, a power of two: enough that the few thousand values that repeat rarely evict each other. */
  private static final int SLOTS = 1 << 17;

  /**
   * Per slot a {@link LabelValue} (a string, or the ASCII bytes of a value {@link #stored} met
   * first), or the {@link Series} that packed the value, which the slot then keeps alive
   * until another value takes it.
   */
  private static final Object[] TABLE = new Object[SLOTS];
  /** Per slot: 1 when its string was met again since it took the slot, or since the last miss cleared it. */
  private static final byte[] MET_AGAIN = new byte[SLOTS];
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

  private LabelStrings() {}

  private static int slot(String s) {
    int h = s.hashCode();
    return (h ^ (h >>> 17)) & (SLOTS - 1);
  }

  /**
   * The table's string equal to {@code s}, or {@code s} itself, which then takes the slot unless
   * the value holding it was met again (that one then loses its mark instead). A value held as
   * bytes gives its slot to the string.
   */
  static String canonical(String s) {
    int i = slot(s);
    Object held = SLOT.getAcquire(TABLE, i);
    if (held != null && LabelValue.equalsString(held, s)) {
      if (MET_AGAIN[i] == 0) {
        MET_AGAIN[i] = 1;
      }
      if (held instanceof String h) {
        return h;
      }
      SLOT.setRelease(TABLE, i, s);
      return s;
    }
    if (held != null && MET_AGAIN[i] != 0) {
      MET_AGAIN[i] = 0;
      return s;
    }
    SLOT.setRelease(TABLE, i, s);
    return s;
  }

  /**
   * Like {@link #canonical}, for a value a new series of the store keeps: the table's equal value
   * in whatever form it is held, else {@code s} as {@link LabelValue#compact} makes it, which also
   * takes the slot on the same terms. A value met for the first time is most likely unique to its
   * series (an instance id), and its bytes alone cost 24 bytes less than a string.
   */
  static Object stored(String s) {
    Object held = held(s);
    if (held != null) {
      return held;
    }
    Object compact = LabelValue.compact(s);
    offer(s, compact);
    return compact;
  }

  /**
   * The table's value equal to {@code s} as a new stored series keeps it (a {@link LabelValue}:
   * a string, ASCII bytes, or the series that packed the value, which the series that meet it
   * share rather than a copy), or null when the table holds none: then the caller makes its own
   * form of {@code s} and {@link #offer}s it.
   */
  static Object held(String s) {
    int i = slot(s);
    Object held = SLOT.getAcquire(TABLE, i);
    if (held == null || !LabelValue.equalsString(held, s)) {
      return null;
    }
    if (MET_AGAIN[i] == 0) {
      MET_AGAIN[i] = 1;
    }
    return held;
  }

  /**
   * Offers {@code form}, a form of {@code s} that {@link #held} did not find (a {@link
   * LabelValue} or the {@link Series} that packed it), to the slot on the terms of {@link
   * #canonical}: it takes the slot unless the value there was met again, or is {@code s} already.
   */
  static void offer(String s, Object form) {
    int i = slot(s);
    Object held = SLOT.getAcquire(TABLE, i);
    if (held != null && LabelValue.equalsString(held, s)) {
      return;
    }
    if (held != null && MET_AGAIN[i] != 0) {
      MET_AGAIN[i] = 0;
      return;
    }
    SLOT.setRelease(TABLE, i, form);
  }
}
