package io.tocsin.util;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Changes this JVM's heap free ratios for a moment, and puts back what it found. */
class HeapGrowthTest {
  private final HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
  private String minFree;
  private String maxFree;

  @BeforeEach
  void remember() {
    minFree = vm.getVMOption("MinHeapFreeRatio").getValue();
    maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();
  }

  @AfterEach
  void restore() {
    vm.setVMOption("MinHeapFreeRatio", "0");
    vm.setVMOption("MaxHeapFreeRatio", maxFree);
    vm.setVMOption("MinHeapFreeRatio", minFree);
  }

  @Test
  void whileLoading_tightRatios_loosenedThenRestored() {
    set("10", "30");

    try (HeapGrowth growth = HeapGrowth.whileLoading()) {
      assertThat(growth.loosened()).isTrue();
      assertThat(ratios()).isEqualTo("70/90");
    }

    assertThat(ratios()).isEqualTo("10/30");
  }

  @Test
  void whileLoading_maximumAboveTheLoadingOne_keptWhileLoading() {
    set("10", "95");

    try (HeapGrowth growth = HeapGrowth.whileLoading()) {
      assertThat(ratios()).isEqualTo("70/95");
    }

    assertThat(ratios()).isEqualTo("10/95");
  }

  @Test
  void whileLoading_theDefaultRatios_leftAlone() {
    set("40", "70");

    try (HeapGrowth growth = HeapGrowth.whileLoading()) {
      assertThat(growth.loosened()).isFalse();
      assertThat(ratios()).isEqualTo("40/70");
    }

    assertThat(ratios()).isEqualTo("40/70");
  }

  private void set(String min, String max) {
    vm.setVMOption("MinHeapFreeRatio", "0");
    vm.setVMOption("MaxHeapFreeRatio", max);
    vm.setVMOption("MinHeapFreeRatio", min);
  }

  private String ratios() {
    return vm.getVMOption("MinHeapFreeRatio").getValue() + "/" + vm.getVMOption("MaxHeapFreeRatio").getValue();
  }
}
