package io.tocsin.store;

import java.util.Arrays;

/**
 * The words of the head chunks of one metric, carved from shared {@code long[]} pages instead of
 * an array per head: an array costs 16 bytes of header, and a head that outgrows its array left
 * it as garbage. A head is a slot, named by an int address (page index and word offset); its
 * capacity is kept in the slot itself (the top bits of header word 1, which only sealed chunks
 * use), so a series holds no more fields than with an array. A metric's heads lie next to each
 * other, so a scan of the metric reads them from a few pages.
 *
 * <p>A series keeps its slot from one chunk to the next when the size suits ({@link
 * Chunk.Head#cutOnto}). Freed slots are kept on a list per size and given to the next request of
 * that size. A page
 * whose slots are all free is dropped: the heads of a series' first chunk grow a few times before
 * their size can be predicted, and the slots they leave, of sizes nobody asks for again soon,
 * would otherwise stay allocated. Free-list entries of a dropped page are recognised by the
 * page's generation and skipped.
 *
 * <p>Thread-safe: allocation and freeing synchronize on this object; they happen when a head
 * starts, grows or seals, not per sample. Reading and writing a slot's words needs no lock here:
 * a slot belongs to one head, whose series' lock its readers and writers hold, and a slot is only
 * freed by that head under the same lock, so no reader sees it reused. Pages never move. The
 * exception is {@link #touch}, which reads a word for a scan that only wants it in the cache,
 * holds no lock and checks the address against the pages it sees instead.
 */
final class HeadPages {
  /** Address bits of the word offset: pages of at most 4,096 words (32 KiB). */
  static final int PAGE_BITS = 12;
  static final int MAX_PAGE_WORDS = 1 << PAGE_BITS;
  /** The first page's words: a metric with a few series should not cost 32 KiB. */
  private static final int FIRST_PAGE_WORDS = 64;
  /** The largest slot: the whole words of a chunk's most bits ({@link Chunk#MAX_BIT_LENGTH}). */
  static final int MAX_SLOT_WORDS = Chunk.MAX_BIT_LENGTH >>> 6;

  /**
   * The pages by index; a null entry is a dropped page whose index is free. Readers index it
   * without this lock: a reader of a slot holds the lock of the series that allocated the slot
   * after the page's entry was written, so it sees that entry; volatile, so that it sees the
   * entries of a copy made when the array grew. ({@link #touch} holds no lock and checks.)
   */
  private volatile long[][] pages = new long[4][];
  /** Per page: the words of its slots in use, and how often it was dropped. */
  private int[] liveWords = new int[4];
  private int[] generation = new int[4];
  /** Per page: how many free-list entries name it. */
  private int[] freeEntries = new int[4];
  private int pageCount;
  private int pagesMade;
  /** Indexes of dropped pages, for the next new page. */
  private int[] droppedIndexes = new int[4];
  private int dropped;
  /** The page slots are cut from when no free slot fits, and its first unused word; -1 before the first. */
  private int current = -1;
  private int top;
  /** Per slot size, free slots as {@code generation << 32 | address}, used as a stack. */
  private final long[][] free = new long[MAX_SLOT_WORDS + 1][];
  private final int[] freeCount = new int[MAX_SLOT_WORDS + 1];
  /** Free-list entries of dropped pages, not yet removed: they are when they outnumber the others. */
  private int staleEntries;
  private int validEntries;

  /** The page an address lies in; call only with a slot in use. */
  long[] page(int address) {
    return pages[address >>> PAGE_BITS];
  }

  /**
   * The word at {@code address}, or 0 when the pages seen have no such word (no head: a negative
   * address; a dropped page; a page index reused by a smaller page); for {@link ScanAhead}, which
   * reads addresses without the lock of their series and wants the word in the cache only.
   */
  long touch(int address) {
    long[][] pages = this.pages;
    int p = address >>> PAGE_BITS;
    if (address < 0 || p >= pages.length) {
      return 0;
    }
    long[] page = pages[p];
    int at = offset(address);
    return page == null || at >= page.length ? 0 : page[at];
  }

  /** The word offset of an address within its page. */
  static int offset(int address) {
    return address & (MAX_PAGE_WORDS - 1);
  }

  /** A zeroed slot of {@code words} words, 1 to {@link #MAX_SLOT_WORDS}, not overlapping any other in use. */
  synchronized int allocate(int words) {
    if (words < 1 || words > MAX_SLOT_WORDS) {
      throw new IllegalArgumentException("slot of " + words + " words");
    }
    int address = reuse(words);
    if (address < 0) {
      if (current < 0 || top + words > pages[current].length) {
        retireCurrent();
        current = newPage(words);
        top = 0;
      }
      address = current << PAGE_BITS | top;
      top += words;
    } else {
      int at = offset(address);
      Arrays.fill(pages[address >>> PAGE_BITS], at, at + words, 0);
    }
    liveWords[address >>> PAGE_BITS] += words;
    return address;
  }

  /** Gives back a slot {@link #allocate} returned with this size; its words must not be used again. */
  synchronized void free(int address, int words) {
    int index = address >>> PAGE_BITS;
    if ((liveWords[index] -= words) == 0 && index != current) {
      drop(index);
      return;
    }
    if (freeCount[words] == (free[words] == null ? 0 : free[words].length)) {
      free[words] = free[words] == null ? new long[8] : Arrays.copyOf(free[words], freeCount[words] * 2);
    }
    free[words][freeCount[words]++] = (long) generation[index] << 32 | address;
    freeEntries[index]++;
    validEntries++;
  }

  /** Words held in pages, used or not: what the heads of this metric cost. */
  synchronized long pageWords() {
    long words = 0;
    for (int i = 0; i < pageCount; i++) {
      words += pages[i] == null ? 0 : pages[i].length;
    }
    return words;
  }

  /** Entries on the free lists, those of dropped pages included. */
  synchronized int freeListEntries() {
    return Arrays.stream(freeCount).sum();
  }

  /** A free slot of exactly {@code words} in a page still held, or -1. */
  private int reuse(int words) {
    long[] stack = free[words];
    while (freeCount[words] > 0) {
      long entry = stack[--freeCount[words]];
      int address = (int) entry;
      if (generation[address >>> PAGE_BITS] == (int) (entry >>> 32)) {
        freeEntries[address >>> PAGE_BITS]--;
        validEntries--;
        return address;
      }
      staleEntries--;
    }
    return -1;
  }

  /**
   * Removes the entries of dropped pages from the free lists and trims them: a million heads
   * that grew from one size to the next left a million entries of pages long gone.
   */
  private void purgeStaleEntries() {
    for (int words = 1; words <= MAX_SLOT_WORDS; words++) {
      long[] stack = free[words];
      int kept = 0;
      for (int i = 0; i < freeCount[words]; i++) {
        long entry = stack[i];
        if (generation[(int) entry >>> PAGE_BITS] == (int) (entry >>> 32)) {
          stack[kept++] = entry;
        }
      }
      freeCount[words] = kept;
      if (stack != null && stack.length > 2 * kept + 8) {
        free[words] = kept == 0 ? null : Arrays.copyOf(stack, kept + (kept >> 1) + 8);
      }
    }
    staleEntries = 0;
  }

  /** The page slots were cut from is left for another: drop it now if nothing in it is in use. */
  private void retireCurrent() {
    int old = current;
    current = -1;
    if (old >= 0 && liveWords[old] == 0) {
      drop(old);
    }
  }

  private void drop(int index) {
    pages[index] = null;
    generation[index]++;
    staleEntries += freeEntries[index];
    validEntries -= freeEntries[index];
    freeEntries[index] = 0;
    if (staleEntries > Math.max(1_024, validEntries)) {
      purgeStaleEntries();
    }
    if (dropped == droppedIndexes.length) {
      droppedIndexes = Arrays.copyOf(droppedIndexes, dropped * 2);
    }
    droppedIndexes[dropped++] = index;
  }

  /** A new page with room for at least {@code words}; returns its index. */
  private int newPage(int words) {
    int size = Math.max(words, (int) Math.min(MAX_PAGE_WORDS, (long) FIRST_PAGE_WORDS << Math.min(pagesMade, 20)));
    pagesMade++;
    int index;
    if (dropped > 0) {
      index = droppedIndexes[--dropped];
    } else {
      index = pageCount++;
      if (index >= 1 << (31 - PAGE_BITS)) {
        throw new IllegalStateException("head chunks of one metric take more than 16 GiB");
      }
      if (index == liveWords.length) {
        liveWords = Arrays.copyOf(liveWords, index * 2);
        generation = Arrays.copyOf(generation, index * 2);
        freeEntries = Arrays.copyOf(freeEntries, index * 2);
      }
    }
    if (index == pages.length) {
      pages = Arrays.copyOf(pages, index * 2);
    }
    pages[index] = new long[size];
    return index;
  }
}
