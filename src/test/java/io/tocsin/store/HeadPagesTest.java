package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link HeadPages#touch}: any address a racing scan may read gives a word or 0, never an exception. */
class HeadPagesTest {
  private final HeadPages pages = new HeadPages();

  @Test
  void touch_ofASlot_readsItsFirstWord() {
    int address = pages.allocate(3);
    pages.page(address)[HeadPages.offset(address)] = 42;

    assertThat(pages.touch(address)).isEqualTo(42);
  }

  @Test
  void touch_withoutAHead_isZero() {
    assertThat(pages.touch(-1)).isZero();
  }

  @Test
  void touch_pastThePages_isZero() {
    pages.allocate(3);

    assertThat(pages.touch(1_000 << HeadPages.PAGE_BITS)).isZero();
    assertThat(pages.touch(HeadPages.MAX_PAGE_WORDS - 1)).isZero(); // past the end of the first, smaller page
  }

  @Test
  void touch_ofADroppedPage_isZero() {
    int first = pages.allocate(40);
    pages.page(first)[HeadPages.offset(first)] = 7;
    int second = pages.allocate(40); // does not fit the first page: a second one becomes current
    pages.free(first, 40); // the first page holds nothing in use any more: dropped

    assertThat(first >>> HeadPages.PAGE_BITS).isNotEqualTo(second >>> HeadPages.PAGE_BITS);
    assertThat(pages.touch(first)).isZero();
  }
}
