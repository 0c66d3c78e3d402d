package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/**
 * {@link HeadPages} against a map of the slots in use and what was written to them, on random
 * sequences of allocations, growths (a larger slot, the words copied, the old one freed) and
 * frees: slots in use never overlap and keep their words, a new slot is zeroed, a freed slot is
 * given to the next request of its size, and pages whose slots are all free are given back.
 */
class HeadPagesPropertiesTest {
  /**
   * One step: allocate {@code size} words (kind 0), or grow (1), free and allocate again (2) or free (3) the
   * live slot {@code pick} (modulo their number).
   */
  record Step(int kind, int size, int pick) {}

  /** A slot in use: where it is, its size, and the number its words were filled from. */
  record Slot(int address, int words, long fill) {}

  @Property(tries = 200)
  void slots_neverOverlapAndKeepTheirWords(@ForAll("steps") List<Step> steps) {
    HeadPages pages = new HeadPages();
    Map<Integer, Slot> live = new HashMap<>(); // by id
    int nextId = 0;
    long fill = 1;
    for (Step step : steps) {
      List<Integer> ids = new ArrayList<>(live.keySet());
      ids.sort(null);
      if (step.kind() == 0 || ids.isEmpty()) {
        int address = pages.allocate(step.size());
        assertZeroed(pages, address, step.size());
        live.put(nextId++, write(pages, address, step.size(), fill++));
      } else if (step.kind() == 1) { // grow: what a head does when its slot is full
        int id = ids.get(step.pick() % ids.size());
        Slot old = live.get(id);
        int words = Math.min(HeadPages.MAX_SLOT_WORDS, old.words() + 1 + step.size() % 16);
        int address = pages.allocate(words);
        System.arraycopy(pages.page(old.address()), HeadPages.offset(old.address()), pages.page(address),
            HeadPages.offset(address), old.words());
        pages.free(old.address(), old.words());
        long[] page = pages.page(address);
        for (int i = old.words(); i < words; i++) {
          page[HeadPages.offset(address) + i] = old.fill() * 1_000 + i;
        }
        live.put(id, new Slot(address, words, old.fill()));
      } else if (step.kind() == 3) {
        Slot freed = live.remove(ids.get(step.pick() % ids.size()));
        pages.free(freed.address(), freed.words());
      } else { // a head sealed and the next one, of the same size, started
        Slot freed = live.remove(ids.get(step.pick() % ids.size()));
        pages.free(freed.address(), freed.words());
        boolean pageStillUsed = live.values().stream()
            .anyMatch(s -> s.address() >>> HeadPages.PAGE_BITS == freed.address() >>> HeadPages.PAGE_BITS);
        int again = pages.allocate(freed.words());
        if (pageStillUsed) {
          assertThat(again).as("the slot just freed").isEqualTo(freed.address());
        }
        assertZeroed(pages, again, freed.words());
        live.put(nextId++, write(pages, again, freed.words(), fill++));
      }
      assertDisjointAndIntact(pages, live.values());
    }
    for (Slot slot : live.values()) {
      pages.free(slot.address(), slot.words());
    }
    assertThat(pages.pageWords()).as("pages held once every slot is free").isLessThanOrEqualTo(HeadPages.MAX_PAGE_WORDS);
  }

  /**
   * A million series' first heads grow in step from one size to the next; the slots and the
   * free-list entries they leave are given back with their pages instead of piling up.
   */
  @Test
  void growthInStep_givesBackThePagesAndFreeSlotsLeftBehind() {
    HeadPages pages = new HeadPages();
    int heads = 20_000;
    List<Slot> slots = new ArrayList<>();
    for (int i = 0; i < heads; i++) {
      slots.add(write(pages, pages.allocate(4), 4, i + 1));
    }
    for (int size : new int[] {6, 9, 12}) {
      for (int i = 0; i < heads; i++) {
        Slot old = slots.get(i);
        int address = pages.allocate(size);
        pages.free(old.address(), old.words());
        slots.set(i, write(pages, address, size, old.fill()));
      }
    }
    assertDisjointAndIntact(pages, slots);
    assertThat(pages.pageWords()).as("pages held for %d slots of 12 words", heads)
        .isLessThanOrEqualTo(heads * 12L + 2 * HeadPages.MAX_PAGE_WORDS);
    assertThat(pages.freeListEntries()).as("free-list entries").isLessThanOrEqualTo(2_048);
  }

  private static Slot write(HeadPages pages, int address, int words, long fill) {
    long[] page = pages.page(address);
    for (int i = 0; i < words; i++) {
      page[HeadPages.offset(address) + i] = fill * 1_000 + i;
    }
    return new Slot(address, words, fill);
  }

  private static void assertZeroed(HeadPages pages, int address, int words) {
    long[] page = pages.page(address);
    for (int i = 0; i < words; i++) {
      assertThat(page[HeadPages.offset(address) + i]).as("word %d of a new slot", i).isZero();
    }
  }

  private static void assertDisjointAndIntact(HeadPages pages, Iterable<Slot> slots) {
    List<Slot> sorted = new ArrayList<>();
    slots.forEach(sorted::add);
    sorted.sort(Comparator.comparingInt(Slot::address));
    for (int i = 0; i < sorted.size(); i++) {
      Slot slot = sorted.get(i);
      long[] page = pages.page(slot.address());
      assertThat(page).as("page of a slot in use").isNotNull();
      assertThat(HeadPages.offset(slot.address()) + slot.words()).isLessThanOrEqualTo(page.length);
      if (i > 0 && sorted.get(i - 1).address() >>> HeadPages.PAGE_BITS == slot.address() >>> HeadPages.PAGE_BITS) {
        assertThat(sorted.get(i - 1).address() + sorted.get(i - 1).words()).as("end of the slot before")
            .isLessThanOrEqualTo(slot.address());
      }
      for (int w = 0; w < slot.words(); w++) {
        assertThat(page[HeadPages.offset(slot.address()) + w]).isEqualTo(slot.fill() * 1_000 + w);
      }
    }
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Integer> kinds = Arbitraries.integers().between(0, 3);
    // Mostly the sizes head chunks have, sometimes up to the largest slot.
    Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.integers().between(1, 24)),
        Tuple.of(1, Arbitraries.integers().between(1, HeadPages.MAX_SLOT_WORDS)));
    Arbitrary<Integer> picks = Arbitraries.integers().between(0, 1_000);
    return Combinators.combine(kinds, sizes, picks).as(Step::new).list().ofMaxSize(400);
  }
}
