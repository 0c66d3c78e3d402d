package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.ingest.prompb.Label;
import io.tocsin.ingest.prompb.MetricMetadata;
import io.tocsin.ingest.prompb.Sample;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.ingest.prompb.WriteRequest;
import io.tocsin.store.SeriesSamples;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.WireWriter;
import io.tocsin.testing.WireWriter.Liberties;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.xerial.snappy.Snappy;

/**
 * {@link RemoteWriteTranslator} finding series through {@link SenderSeries} against the same
 * translator without them, on random sequences of requests: the same answer to every request and
 * the same store at the end. Series come in changing orders and numbers, written with the
 * liberties of the wire format (so equal labels come in different bytes and different labels in
 * similar ones), some declined by the scan, some invalid; metadata requests change kinds, and
 * every series is now and then evicted and created again.
 */
class SenderSeriesPropertiesTest {
  private static final Duration RETENTION = Duration.ofMinutes(10);

  /** A step: a request of the pool's series {@code series} (a metadata request when {@code kind} is set), or an eviction. */
  record Step(List<Integer> series, String metadataFamily, MetricMetadata.MetricType kind, boolean evict,
      boolean otherSender) {}

  @Provide
  Arbitrary<List<Map<String, String>>> pools() {
    Arbitrary<Map<String, String>> labels = Combinators.combine(
        Arbitraries.of("jobs_total", "up", "temp_celsius", "queue_length_total"),
        Arbitraries.of("a", "b", "", "é"), Arbitraries.of("1", "2", "3", "4", "5"),
        Arbitraries.of("x", "", "le", "bad-name")).as((name, job, instance, extra) -> {
          Map<String, String> m = new TreeMap<>();
          m.put("__name__", name);
          m.put("job", job);
          m.put("instance", instance);
          if (!extra.isEmpty()) {
            m.put(extra.equals("x") ? "zone" : extra, "z1");
          }
          return m;
        });
    return labels.list().ofMinSize(1).ofMaxSize(12);
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> send = Combinators.combine(Arbitraries.integers().between(0, 11).list().ofMaxSize(16),
        Arbitraries.of(true, false)).as((series, other) -> new Step(series, null, null, false, other));
    Arbitrary<Step> metadata = Combinators.combine(Arbitraries.of("jobs_total", "up", "temp_celsius", "queue_length"),
        Arbitraries.of(MetricMetadata.MetricType.COUNTER, MetricMetadata.MetricType.GAUGE))
        .as((family, type) -> new Step(List.of(), family, type, false, false));
    Arbitrary<Step> evict = Arbitraries.just(new Step(List.of(), null, null, true, false));
    return Arbitraries.frequencyOf(
        Tuple.of(12, send), Tuple.of(2, metadata), Tuple.of(1, evict))
        .list().ofMinSize(1).ofMaxSize(30);
  }

  @Property(tries = 200)
  void writeWithSenderSeries_answersAndStoresAsWithout(@ForAll("pools") List<Map<String, String>> pool,
      @ForAll("steps") List<Step> steps, @ForAll Random random) throws IOException {
    MutableClock clock = MutableClock.at("2026-03-01T12:00:00Z");
    StoreSettings settings = new StoreSettings(RETENTION, 1000, 1000);
    SeriesStore plainStore = new SeriesStore(clock, settings);
    SeriesStore rememberingStore = new SeriesStore(clock, settings);
    RemoteWriteTranslator plain = new RemoteWriteTranslator(plainStore, clock, LabelLimits.DEFAULT, Map.of());
    RemoteWriteTranslator remembering = new RemoteWriteTranslator(rememberingStore, clock, LabelLimits.DEFAULT, Map.of());
    SenderSeries.Budget budget = new SenderSeries.Budget(1 << 20, 1 << 20);
    SenderSeries[] senders = {new SenderSeries(budget), new SenderSeries(budget)};

    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (step.evict()) {
        clock.advance(RETENTION.plusMinutes(1));
        assertThat(rememberingStore.evictExpired()).isEqualTo(plainStore.evictExpired());
        continue;
      }
      // Mostly as Prometheus writes them, so that the senders find series by equal bytes.
      Liberties liberties = random.nextInt(4) == 0 ? Liberties.VALID : Liberties.CANONICAL;
      byte[] body = WireWriter.write(request(pool, step, clock.millis() - 60_000 + i * 10L), random, liberties);
      byte[] block = Snappy.compress(body);
      IngestResult expected = plain.writeSnappy(block, body.length, null);
      IngestResult actual = remembering.writeSnappy(block, body.length, senders[step.otherSender() ? 1 : 0]);
      assertThat(actual).as("step %d", i).isEqualTo(expected);
    }

    assertThat(rememberingStore.metricNames()).isEqualTo(plainStore.metricNames());
    for (String metric : plainStore.metricNames()) {
      assertThat(contents(rememberingStore, metric)).as(metric).isEqualTo(contents(plainStore, metric));
    }
    assertThat(rememberingStore.seriesCount()).isEqualTo(plainStore.seriesCount());
  }

  private static WriteRequest request(List<Map<String, String>> pool, Step step, long timeMs) {
    WriteRequest.Builder request = WriteRequest.newBuilder();
    if (step.kind() != null) {
      return request.addMetadata(MetricMetadata.newBuilder().setMetricFamilyName(step.metadataFamily())
          .setType(step.kind())).build();
    }
    int n = 0;
    for (int index : step.series()) {
      TimeSeries.Builder series = TimeSeries.newBuilder();
      pool.get(index % pool.size()).forEach((k, v) -> series.addLabels(Label.newBuilder().setName(k).setValue(v)));
      // A series may come twice in a request; its second samples are later, or the same (a duplicate).
      series.addSamples(Sample.newBuilder().setTimestamp(timeMs + n % 2).setValue(10 + n));
      if (n % 3 == 0) {
        series.addSamples(Sample.newBuilder().setTimestamp(timeMs + 5).setValue(20 + n));
      }
      request.addTimeseries(series);
      n++;
    }
    return request.build();
  }

  /** Every series of {@code metric}: labels, kind, times and values, in a comparable form. */
  private static TreeSet<String> contents(SeriesStore store, String metric) {
    TreeSet<String> rows = new TreeSet<>();
    for (SeriesSamples s : store.read(metric, labels -> true, 0, Long.MAX_VALUE)) {
      rows.add(s.labels() + " " + s.kind() + " " + Arrays.toString(s.timesMs()) + " " + Arrays.toString(s.values()));
    }
    return rows;
  }
}
