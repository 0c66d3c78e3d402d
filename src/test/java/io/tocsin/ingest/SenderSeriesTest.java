package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.Series;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SenderSeries}: what it finds by label bytes, in a sender's order or not, and the memory it may hold. */
class SenderSeriesTest {
  private static final long MIB = 1 << 20;

  private final SeriesStore store = new SeriesStore(MutableClock.at("2026-03-01T12:00:00Z"), StoreSettings.defaults());

  private Series series(int i) {
    Series[] created = {null};
    store.write("m", MetricKind.GAUGE, Labels.of("i", Integer.toString(i)), s -> created[0] = s);
    return created[0];
  }

  /** Stands for the label bytes of series {@code i}, at {@code offset} in a larger body. */
  private static byte[] body(int i, int offset) {
    byte[] key = ("instance=host-" + i + ":9100").getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[offset + key.length + 3];
    System.arraycopy(key, 0, body, offset, key.length);
    return body;
  }

  private static Series find(SenderSeries sender, int i) {
    byte[] body = body(i, 5);
    return sender.find(body, 5, body.length - 3);
  }

  private static void put(SenderSeries sender, int i, Series series) {
    byte[] body = body(i, 5);
    assertThat(sender.find(body, 5, body.length - 3)).isNull();
    sender.put(body, 5, body.length - 3, series);
  }

  @Test
  void find_equalBytesAnywhere_findTheSeriesPutUnderThem() {
    SenderSeries sender = new SenderSeries(new SenderSeries.Budget(MIB, MIB));
    Series a = series(1);
    put(sender, 1, a);

    byte[] elsewhere = body(1, 17);
    assertThat(sender.find(elsewhere, 17, elsewhere.length - 3)).isSameAs(a);
    assertThat(find(sender, 2)).isNull();
    assertThat(find(sender, 11)).isNull(); // a prefix of its bytes is another series
    byte[] longer = body(1, 5);
    assertThat(sender.find(longer, 5, longer.length - 2)).isNull();
  }

  @Test
  void find_inTheSendersOrderOrAnyOther_findsEverySeries() {
    SenderSeries sender = new SenderSeries(new SenderSeries.Budget(MIB, MIB));
    List<Series> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      all.add(series(i));
      put(sender, i, all.get(i));
    }
    for (int cycle = 0; cycle < 3; cycle++) {
      for (int i = 0; i < 1000; i++) {
        assertThat(find(sender, i)).isSameAs(all.get(i));
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(7));
    for (int i : order) {
      assertThat(find(sender, i)).isSameAs(all.get(i));
    }
    assertThat(sender.size()).isEqualTo(1000);
  }

  @Test
  void put_afterFindingAnEvictedSeries_replacesIt() {
    SenderSeries sender = new SenderSeries(new SenderSeries.Budget(MIB, MIB));
    Series old = series(1);
    put(sender, 1, old);
    Series recreated = series(2); // stands for the series created again under the same labels

    byte[] body = body(1, 5);
    assertThat(sender.find(body, 5, body.length - 3)).isSameAs(old);
    sender.put(body, 5, body.length - 3, recreated);

    assertThat(find(sender, 1)).isSameAs(recreated);
    assertThat(sender.size()).isEqualTo(1);
  }

  @Test
  void put_ofBytesItHolds_replacesTheirSeries_withoutAFindBefore() {
    SenderSeries sender = new SenderSeries(new SenderSeries.Budget(MIB, MIB));
    put(sender, 1, series(1));
    put(sender, 2, series(2));
    Series recreated = series(1);
    byte[] body = body(1, 5);

    sender.put(body, 5, body.length - 3, recreated);

    assertThat(sender.size()).isEqualTo(2);
    assertThat(find(sender, 1)).isSameAs(recreated);
    assertThat(find(sender, 2)).isNotNull();
  }

  @Test
  void put_beyondTheSendersShare_keepsTheFirstAndHoldsNoMore() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, 64 * 1024);
    SenderSeries sender = new SenderSeries(budget);
    List<Series> all = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      all.add(series(i));
      put(sender, i, all.get(i));
    }

    assertThat(sender.size()).isBetween(1000, 4999);
    assertThat(budget.held()).isLessThanOrEqualTo(64 * 1024);
    assertThat(find(sender, 0)).isSameAs(all.get(0));
    assertThat(find(sender, 4999)).isNull();
  }

  @Test
  void budget_sharedBySenders_givenBackOnRelease() {
    SenderSeries.Budget budget = new SenderSeries.Budget(100 * 1024, 100 * 1024);
    SenderSeries first = new SenderSeries(budget);
    SenderSeries second = new SenderSeries(budget);
    for (int i = 0; i < 5000; i++) {
      put(first, i, series(i));
    }
    put(second, 1, series(1));

    assertThat(second.size()).isZero();
    assertThat(budget.held()).isLessThanOrEqualTo(100 * 1024);

    first.release();
    assertThat(budget.held()).isZero();
    assertThat(find(first, 0)).isNull();
    put(second, 1, series(1));
    assertThat(second.size()).isEqualTo(1);
  }

  @Test
  void ensureVersion_anotherVersion_dropsEverything() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, MIB);
    SenderSeries sender = new SenderSeries(budget);
    sender.ensureVersion(3);
    put(sender, 1, series(1));

    sender.ensureVersion(3);
    assertThat(find(sender, 1)).isNotNull();
    sender.ensureVersion(4);
    assertThat(find(sender, 1)).isNull();
    assertThat(budget.held()).isZero();
  }

  @Test
  void find_mostlyMissingWhileFull_startsOver() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, 64 * 1024);
    SenderSeries sender = new SenderSeries(budget);
    for (int i = 0; i < 5000; i++) {
      put(sender, i, series(i));
    }
    int kept = sender.size();
    // The sender now sends other series only: a check of the hit rate (every 65,536 lookups) drops the old ones.
    for (int i = 0; i < 70_000; i++) {
      byte[] body = body(100_000 + i % 5000, 5);
      if (sender.find(body, 5, body.length - 3) == null) {
        sender.put(body, 5, body.length - 3, series(0));
      }
    }

    assertThat(kept).isLessThan(5000);
    assertThat(find(sender, 0)).isNull();
    int newFound = 0;
    for (int i = 100_000; i < 105_000; i++) {
      newFound += find(sender, i) != null ? 1 : 0;
    }
    assertThat(newFound).isPositive();
  }
}
