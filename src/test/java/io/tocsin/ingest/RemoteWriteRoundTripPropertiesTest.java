package io.tocsin.ingest;

import static io.tocsin.testing.RemoteWriteRequests.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.ingest.prompb.Label;
import io.tocsin.ingest.prompb.Sample;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.ingest.prompb.WriteRequest;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesSamples;
import io.tocsin.testing.ScratchDir;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random remote-write requests, encoded with the generated messages and snappy, posted to a real
 * Tocsin and read back from its store: every gauge sample as sent, every counter sample as its
 * increase (a drop being a reset), under the labels as sent.
 */
class RemoteWriteRoundTripPropertiesTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final AtomicInteger TRY = new AtomicInteger();
  private static ScratchDir dataDir;
  private static Tocsin tocsin;
  private static String url;

  @BeforeContainer
  static void start() throws Exception {
    dataDir = ScratchDir.create("tocsin-rw-property");
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir.path())
        .withLimits(new ServerConfig.Limits(100_000, 100_000, 1 << 20, 8)), new MutableClock(NOW), false);
    url = "http://127.0.0.1:" + tocsin.httpPort();
  }

  @AfterContainer
  static void stop() {
    try {
      tocsin.close();
    } finally {
      dataDir.close();
    }
  }

  /** One series: its labels (without the name), whether it is a counter, its values one second apart. */
  record GeneratedSeries(Map<String, String> labels, boolean counter, List<Double> values) {}

  @Property(tries = 60)
  void postedSamples_readBackAsSent(@ForAll("series") List<GeneratedSeries> generated) throws Exception {
    String prefix = "t" + TRY.incrementAndGet() + "_";
    long t0 = NOW.toEpochMilli() - 30 * 60_000;
    WriteRequest.Builder request = WriteRequest.newBuilder();
    for (int i = 0; i < generated.size(); i++) {
      GeneratedSeries g = generated.get(i);
      Map<String, String> labels = new TreeMap<>(g.labels());
      labels.put("__name__", name(prefix, i, g));
      TimeSeries.Builder series = TimeSeries.newBuilder();
      labels.forEach((k, v) -> series.addLabels(Label.newBuilder().setName(k).setValue(v)));
      for (int s = 0; s < g.values().size(); s++) {
        series.addSamples(Sample.newBuilder().setTimestamp(t0 + s * 1000L).setValue(g.values().get(s)));
      }
      request.addTimeseries(series);
    }

    HttpResponse<String> response = post(url, request.build());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
    for (int i = 0; i < generated.size(); i++) {
      GeneratedSeries g = generated.get(i);
      List<SeriesSamples> read = tocsin.store().read(name(prefix, i, g), l -> true, 0, Long.MAX_VALUE);
      assertThat(read).hasSize(1);
      assertThat(read.get(0).labels()).isEqualTo(Labels.of(g.labels()));
      assertThat(read.get(0).kind()).isEqualTo(g.counter() ? MetricKind.COUNTER : MetricKind.GAUGE);
      assertThat(read.get(0).values()).containsExactly(expected(g));
    }
  }

  private static String name(String prefix, int i, GeneratedSeries g) {
    return prefix + "m" + i + (g.counter() ? "_total" : "");
  }

  private static double[] expected(GeneratedSeries g) {
    double[] expected = new double[g.values().size()];
    for (int s = 0; s < expected.length; s++) {
      double value = g.values().get(s);
      if (!g.counter()) {
        expected[s] = value;
      } else if (s > 0) {
        double previous = g.values().get(s - 1);
        expected[s] = value >= previous ? value - previous : value;
      }
    }
    return expected;
  }

  @Provide
  Arbitrary<List<GeneratedSeries>> series() {
    Arbitrary<String> labelName = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz_ABC0123456789")
        .ofMinLength(1).ofMaxLength(12).filter(n -> !Character.isDigit(n.charAt(0)) && !n.startsWith("__"));
    Arbitrary<String> labelValue = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20)
        .filter(v -> v.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE));
    Arbitrary<Map<String, String>> labels = Arbitraries.maps(labelName, labelValue).ofMaxSize(6);
    Arbitrary<List<Double>> gauges = Arbitraries.doubles().between(-1e12, 1e12).list().ofMinSize(1).ofMaxSize(12);
    // Counters climb by whole steps and now and then restart at a small value.
    Arbitrary<List<Double>> counters = Arbitraries.integers().between(-3, 50).list().ofMinSize(1).ofMaxSize(12)
        .map(steps -> {
          List<Double> values = new ArrayList<>();
          double value = 0;
          for (int step : steps) {
            value = step < 0 ? -step : value + step;
            values.add(value);
          }
          return values;
        });
    Arbitrary<GeneratedSeries> one = Arbitraries.of(true, false).flatMap(counter ->
        Combinators.combine(labels, counter ? counters : gauges).as((l, v) -> new GeneratedSeries(l, counter, v)));
    return one.list().ofMinSize(1).ofMaxSize(8);
  }
}
