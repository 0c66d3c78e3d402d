package io.tocsin.store.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.Series;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The table replay finds series in by id, against a {@link HashMap} and a set of touched ids on random sequences. */
class SeriesByIdPropertiesTest {
  enum Op { ADD, ADD_TOUCHED, GET, TOUCH }

  record Step(Op op, long id) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    // Few distinct ids make repeated look-ups and touches common; the large ones collide in the table's low bits.
    Arbitrary<Long> ids = Arbitraries.oneOf(Arbitraries.longs().between(1, 80),
        Arbitraries.of(1L << 20, 1L << 32, (1L << 40) - 1), Arbitraries.longs().between(1, (1L << 40) - 1));
    return Combinators.combine(Arbitraries.of(Op.class), ids).as(Step::new).list().ofMaxSize(300);
  }

  @Property(tries = 200)
  void seriesById_behavesLikeAMapAndASet(@ForAll("steps") List<Step> steps,
      @ForAll @LongRange(min = 0, max = 90) long first, @ForAll @IntRange(min = 0, max = 40) int range) {
    SeriesStore store = store();
    // Ids first to first + range - 1 in the array, the others hashed (none in the array when range is 0).
    SeriesById table = new SeriesById(steps.size() % 7, first, first + range - 1);
    Map<Long, Series> reference = new HashMap<>();
    Set<Long> touched = new HashSet<>();
    for (Step s : steps) {
      switch (s.op()) {
        case ADD, ADD_TOUCHED -> {
          if (!reference.containsKey(s.id())) {
            Series series = store.restore(s.id(), "m", MetricKind.GAUGE, Labels.of("id", Long.toString(s.id())));
            table.add(series, s.op() == Op.ADD_TOUCHED);
            reference.put(s.id(), series);
            if (s.op() == Op.ADD_TOUCHED) {
              touched.add(s.id());
            }
          }
        }
        case GET -> assertThat(table.get(s.id())).isSameAs(reference.get(s.id()));
        case TOUCH -> {
          assertThat(table.touch(s.id())).isSameAs(reference.get(s.id()));
          if (reference.containsKey(s.id())) {
            touched.add(s.id());
          }
        }
      }
      assertThat(table.size()).isEqualTo(reference.size());
      assertThat(table.touchedCount()).isEqualTo(touched.size());
    }
    reference.forEach((id, series) -> assertThat(table.get(id)).isSameAs(series));
  }

  @Test
  void of_denseAndSparseIds_findsEachUntouched() {
    SeriesStore store = store();
    for (long[] ids : new long[][] {{5, 6, 7, 9, 12}, {1, 1_000_000_000L, 77}}) {
      List<Series> loaded = new ArrayList<>();
      for (long id : ids) {
        loaded.add(store.restore(id, "m" + ids.length, MetricKind.GAUGE, Labels.of("id", Long.toString(id))));
      }
      SeriesById table = SeriesById.of(loaded);
      assertThat(table.size()).isEqualTo(ids.length);
      assertThat(table.touchedCount()).isZero();
      for (Series s : loaded) {
        assertThat(table.get(s.id())).isSameAs(s);
      }
      assertThat(table.get(8)).isNull();
      assertThat(table.touch(ids[1])).isSameAs(loaded.get(1));
      assertThat(table.touch(ids[1])).isSameAs(loaded.get(1));
      assertThat(table.touchedCount()).isEqualTo(1);
      Series added = store.restore(2_000_000_000L, "m" + ids.length, MetricKind.GAUGE, Labels.of("id", "new"));
      table.add(added, true);
      assertThat(table.get(2_000_000_000L)).isSameAs(added);
      assertThat(table.touchedCount()).isEqualTo(2);
    }
  }

  @Test
  void add_anIdTwice_isRefused() {
    SeriesStore store = store();
    Series dense = store.restore(3, "m", MetricKind.GAUGE, Labels.of("a", "1"));
    Series hashed = store.restore(8, "m", MetricKind.GAUGE, Labels.of("a", "2"));
    SeriesById table = new SeriesById(0, 1, 4);
    table.add(dense, true);
    table.add(hashed, true);
    assertThatThrownBy(() -> table.add(dense, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("series id 3 is in the table already");
    assertThatThrownBy(() -> table.add(hashed, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("series id 8 is in the table already");
    assertThat(table.size()).isEqualTo(2);
    assertThat(table.touchedCount()).isEqualTo(2);
  }

  private static SeriesStore store() {
    return new SeriesStore(Clock.systemUTC(), new StoreSettings(Duration.ofHours(1), 100_000, 100_000));
  }
}
