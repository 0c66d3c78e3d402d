package io.tocsin.util;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the heap grow in large steps while a start-up loads the store, then restores the policy
 * the JVM was started with and collects once, so that the heap is sized for what loading left.
 *
 * <p>Why: the image keeps at most 30% and at least 10% of the heap free after a collection
 * ({@code -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30}), which keeps resident memory close to
 * the live data while the service runs. While a snapshot of a million series loads, the same
 * policy grew the old generation 10% at a time, each step after a full collection of all that was
 * loaded so far: 20 full collections and 5 s of pauses in a 12.8 s start with the serial
 * collector. Both ratios are manageable flags, so a start-up can loosen them for the load alone:
 * what it loads is kept, so the heap may as well grow in large steps. At least 70% free after a
 * collection (at most 90%) made that start 8.0-9.1 s, the JVM's defaults (40% and 70%) 8.9-10.1 s,
 * in alternated runs; resident memory at ready was about the same, 660-680 MB. A JVM without these
 * flags, or keeping at least the default share free, is left as it is.
 */
public final class HeapGrowth implements AutoCloseable {
  /**
   * The JVM's default least free share: a JVM that keeps at least this much free grows in steps
   * large enough, and is left alone (G1 with its defaults, loosened further, started in 10.9 s
   * once, against 9.0-9.9 s as it was).
   */
  static final int DEFAULT_MIN_FREE = 40;
  /** The free share of the heap after a collection while loading: at least, at most. */
  static final int LOADING_MIN_FREE = 70;
  static final int LOADING_MAX_FREE = 90;

  private static final Logger log = LoggerFactory.getLogger(HeapGrowth.class);

  private final HotSpotDiagnosticMXBean vm;
  private final String minFree;
  private final String maxFree;

  private HeapGrowth(HotSpotDiagnosticMXBean vm, String minFree, String maxFree) {
    this.vm = vm;
    this.minFree = minFree;
    this.maxFree = maxFree;
  }

  /** Loosens the heap's free ratios until {@link #close}; does nothing where they are the default or looser. */
  public static HeapGrowth whileLoading() {
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      String min = vm.getVMOption("MinHeapFreeRatio").getValue();
      String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
      if (Integer.parseInt(min) >= DEFAULT_MIN_FREE) {
        return new HeapGrowth(null, min, max);
      }
      // Raised maximum first: the JVM refuses a minimum above the maximum at every step.
      vm.setVMOption("MaxHeapFreeRatio", Integer.toString(Math.max(Integer.parseInt(max), LOADING_MAX_FREE)));
      vm.setVMOption("MinHeapFreeRatio", Integer.toString(LOADING_MIN_FREE));
      return new HeapGrowth(vm, min, max);
    } catch (RuntimeException e) { // not HotSpot, or the flags are not manageable there
      log.debug("heap free ratios left as they are while loading: {}", e.toString());
      return new HeapGrowth(null, null, null);
    }
  }

  /** Whether the ratios were loosened (and are restored by {@link #close}). */
  boolean loosened() {
    return vm != null;
  }

  /** Restores the ratios the JVM was started with, minimum first, and collects once so that the heap shrinks to them. */
  @Override
  public void close() {
    if (vm == null) {
      return;
    }
    try {
      vm.setVMOption("MinHeapFreeRatio", minFree);
      vm.setVMOption("MaxHeapFreeRatio", maxFree);
    } catch (RuntimeException e) {
      log.warn("could not restore the heap free ratios ({} and {}): {}", minFree, maxFree, e.toString());
      return;
    }
    System.gc();
  }
}
