package io.tocsin.store.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The primitive map replay looks series up in, against {@link HashMap} on random operation sequences. */
class LongMapPropertiesTest {
  enum Op { PUT, GET, REMOVE }

  record Step(Op op, long key, int value) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    // Few distinct keys make collisions, removals of present keys and re-puts common; the
    // extremes and sequential ids are the keys replay meets.
    Arbitrary<Long> keys = Arbitraries.oneOf(Arbitraries.longs().between(-5, 60),
        Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, 1L << 32, 1L << 40), Arbitraries.longs());
    Arbitrary<Step> step = Combinators.combine(Arbitraries.of(Op.class), keys, Arbitraries.integers())
        .as(Step::new);
    return step.list().ofMaxSize(400);
  }

  @Property(tries = 300)
  void longMap_behavesLikeHashMap(@ForAll("steps") List<Step> steps) {
    LongMap<Integer> map = new LongMap<>();
    Map<Long, Integer> reference = new HashMap<>();
    for (Step s : steps) {
      switch (s.op()) {
        case PUT -> assertThat(map.put(s.key(), s.value())).isEqualTo(reference.put(s.key(), s.value()));
        case GET -> {
          assertThat(map.get(s.key())).isEqualTo(reference.get(s.key()));
          assertThat(map.containsKey(s.key())).isEqualTo(reference.containsKey(s.key()));
        }
        case REMOVE -> assertThat(map.remove(s.key())).isEqualTo(reference.remove(s.key()));
      }
      assertThat(map.size()).isEqualTo(reference.size());
    }
    for (Map.Entry<Long, Integer> e : reference.entrySet()) {
      assertThat(map.get(e.getKey())).isEqualTo(e.getValue());
    }
  }

  @Property(tries = 50)
  void longMap_presized_behavesLikeHashMap(@ForAll("steps") List<Step> steps) {
    LongMap<Integer> map = new LongMap<>(steps.size());
    Map<Long, Integer> reference = new HashMap<>();
    for (Step s : steps) {
      if (s.op() == Op.REMOVE) {
        assertThat(map.remove(s.key())).isEqualTo(reference.remove(s.key()));
      } else {
        assertThat(map.put(s.key(), s.value())).isEqualTo(reference.put(s.key(), s.value()));
      }
    }
    assertThat(map.size()).isEqualTo(reference.size());
    reference.forEach((k, v) -> assertThat(map.get(k)).isEqualTo(v));
  }

  @Test
  void longMap_sequentialIdsGrowAndRemove() {
    LongMap<Long> map = new LongMap<>();
    for (long id = 1; id <= 100_000; id++) {
      map.put(id, id);
    }
    for (long id = 1; id <= 100_000; id += 2) {
      assertThat(map.remove(id)).isEqualTo(id);
    }
    assertThat(map.size()).isEqualTo(50_000);
    for (long id = 1; id <= 100_000; id++) {
      assertThat(map.get(id)).isEqualTo(id % 2 == 0 ? id : null);
    }
  }

  @Test
  void longMap_nullValue_refused() {
    assertThatThrownBy(() -> new LongMap<String>().put(1, null)).isInstanceOf(NullPointerException.class);
  }
}
