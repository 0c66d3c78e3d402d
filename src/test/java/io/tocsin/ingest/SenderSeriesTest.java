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

  /** A sender sending {@code series} in turn, under the labels of {@link #body}{@code (firstLabel + i)}, putting those not found. */
  private static final class Cycle {
    private final SenderSeries sender;
    private final List<Series> series;
    private final int firstLabel;
    private int position;

    Cycle(SenderSeries sender, List<Series> series, int firstLabel) {
      this.sender = sender;
      this.series = series;
      this.firstLabel = firstLabel;
    }

    void send(int lookups) {
      for (int n = 0; n < lookups; n++) {
        byte[] body = body(firstLabel + position, 5);
        if (sender.find(body, 5, body.length - 3) == null) {
          sender.put(body, 5, body.length - 3, series.get(position));
        }
        position = (position + 1) % series.size();
      }
    }
  }

  private List<Series> series(int from, int to) {
    List<Series> all = new ArrayList<>();
    for (int i = from; i < to; i++) {
      all.add(series(i));
    }
    return all;
  }

  /** A share of 64 KiB holds 1,000 to 5,000 entries of {@link #body}'s labels. */
  private static final long SHARE = 64 * 1024;
  /** Lookups from one check of the hit rate to the next, and some. */
  private static final int CHECK = (1 << 16) + 10;

  @Test
  void checkHitRate_cycleLargerThanTheShare_dropsItsEntriesAndPutsNoMore() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, SHARE);
    SenderSeries sender = new SenderSeries(budget);
    Cycle cycle = new Cycle(sender, series(0, 5000), 0);

    cycle.send(CHECK); // fills its share, some of each cycle found
    assertThat(sender.size()).isBetween(1000, 4999);
    cycle.send(CHECK); // full all through this interval; a quarter or so found
    assertThat(sender.size()).isZero();
    assertThat(sender.waiting()).isTrue();
    assertThat(budget.held()).isZero();

    for (int check = 0; check < 4; check++) { // it does not fill its share again, check after check
      cycle.send(CHECK / 4);
      assertThat(sender.size()).as("after %d checks", check).isZero();
      cycle.send(CHECK - CHECK / 4);
    }
    assertThat(sender.waiting()).isTrue();
    assertThat(budget.held()).isZero();
  }

  @Test
  void checkHitRate_cycleThatFits_keepsItsEntries() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, SHARE);
    SenderSeries sender = new SenderSeries(budget);
    List<Series> all = series(0, 900);

    new Cycle(sender, all, 0).send(5 * CHECK);

    assertThat(sender.size()).isEqualTo(900);
    assertThat(sender.waiting()).isFalse();
    for (int i = 0; i < 900; i++) {
      assertThat(find(sender, i)).isSameAs(all.get(i));
    }
  }

  @Test
  void checkHitRate_seriesChangedWhileFull_dropsTheOldAndKeepsTheNew() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, SHARE);
    SenderSeries sender = new SenderSeries(budget);
    new Cycle(sender, series(0, 900), 0).send(CHECK);
    assertThat(sender.size()).isEqualTo(900);

    // Only other series from now on: the share fills up, nearly every lookup misses, the old entries go,
    // and the new cycle, which fits, is kept once it has shown so.
    List<Series> after = series(100_000, 100_900);
    new Cycle(sender, after, 100_000).send(4 * CHECK);

    assertThat(sender.waiting()).isFalse();
    assertThat(sender.size()).isEqualTo(900);
    assertThat(find(sender, 0)).isNull();
    for (int i = 0; i < 900; i++) {
      assertThat(find(sender, 100_000 + i)).isSameAs(after.get(i));
    }
  }

  @Test
  void waiting_cycleShrinksToFit_keepsItsEntriesAgain() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, SHARE);
    SenderSeries sender = new SenderSeries(budget);
    List<Series> large = series(0, 5000);
    new Cycle(sender, large, 0).send(2 * CHECK);
    assertThat(sender.waiting()).isTrue();

    Cycle small = new Cycle(sender, large.subList(0, 900), 0);
    // Within as many lookups as the share held (under 5,000) it watches one of these, which comes back 900
    // lookups later: the cycle fits.
    small.send(5000 + 900);

    assertThat(sender.waiting()).isFalse();
    assertThat(sender.size()).isEqualTo(900);
    small.send(3 * CHECK);
    assertThat(sender.size()).isEqualTo(900);
    assertThat(find(sender, 899)).isSameAs(large.get(899));
  }

  @Test
  void waiting_aSeriesSentTwiceInARow_isNotTakenForACycleThatFits() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, SHARE);
    SenderSeries sender = new SenderSeries(budget);
    List<Series> all = series(0, 5000);
    int[] sent = {0};
    Runnable sendOne = () -> { // each series twice in a row, as in a request that repeats a series
      int i = sent[0]++ / 2 % all.size();
      byte[] body = body(i, 5);
      if (sender.find(body, 5, body.length - 3) == null) {
        sender.put(body, 5, body.length - 3, all.get(i));
      }
    };
    for (int n = 0; n < 2 * CHECK; n++) {
      sendOne.run();
    }
    assertThat(sender.waiting()).isTrue();

    for (int n = 0; n < 4 * CHECK; n++) {
      sendOne.run();
      if (sender.size() > 0) {
        throw new AssertionError("took entries again after " + n + " lookups");
      }
    }
    assertThat(sender.waiting()).isTrue();
  }

  @Test
  void ensureVersion_whileWaiting_staysWaiting() {
    SenderSeries.Budget budget = new SenderSeries.Budget(MIB, SHARE);
    SenderSeries sender = new SenderSeries(budget);
    Cycle cycle = new Cycle(sender, series(0, 5000), 0);
    cycle.send(2 * CHECK);
    assertThat(sender.waiting()).isTrue();

    sender.ensureVersion(1);
    cycle.send(CHECK);

    assertThat(sender.waiting()).isTrue();
    assertThat(sender.size()).isZero();
  }
}
