package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tocsin.ingest.prompb.Exemplar;
import io.tocsin.ingest.prompb.Label;
import io.tocsin.ingest.prompb.MetricMetadata;
import io.tocsin.ingest.prompb.Sample;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.ingest.prompb.WriteRequest;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.Series;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.WireWriter;
import io.tocsin.testing.WireWriter.Liberties;
import io.tocsin.util.MutableClock;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link RemoteWriteScan} against the generated parser, {@code WriteRequest.parseFrom}: on random
 * requests written with every liberty of the wire format, on requests breaking its rules and on
 * corrupted bodies, the scan never takes a request parseFrom refuses; every series of a request
 * it takes reads as parseFrom reads it, its label bytes holding all its labels; and a series it
 * describes has the name and labels the general path builds from parseFrom's objects, with their
 * hash. The same holds when the connection's {@link SenderSeries} knows some of the series and the
 * scan skips reading their labels.
 */
class RemoteWriteScanDifferentialTest {
  private final RemoteWriteScan scan = new RemoteWriteScan();
  private final SeriesStore store = new SeriesStore(MutableClock.at("2026-03-01T12:00:00Z"), StoreSettings.defaults());

  @Provide
  Arbitrary<WriteRequest> requests() {
    // Names and values from small alphabets, so that equal names, "__name__", "le", bad names,
    // empty and non-ASCII values, unsorted and duplicate labels all occur.
    Arbitrary<String> name = Arbitraries.oneOf(Arbitraries.of("__name__", "le", "job", "instance", "1st", "a:b", ""),
        Arbitraries.strings().withChars("abz_Z09:").ofMaxLength(4));
    Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.of("up", "redis_up", "x_total", "0.5", "", "é", "bad-name"),
        Arbitraries.strings().ofMaxLength(5));
    Arbitrary<Label> label = Combinators.combine(name, value)
        .as((n, v) -> Label.newBuilder().setName(n).setValue(v).build());
    Arbitrary<Sample> sample = Combinators.combine(Arbitraries.longs(), Arbitraries.doubles())
        .as((t, v) -> Sample.newBuilder().setTimestamp(t).setValue(v).build());
    Arbitrary<TimeSeries> series = Combinators.combine(label.list().ofMaxSize(6), sample.list().ofMaxSize(4),
        Arbitraries.integers().between(0, 9)).as((labels, samples, extra) -> {
          TimeSeries.Builder b = TimeSeries.newBuilder().addAllLabels(labels).addAllSamples(samples);
          if (extra == 0) {
            b.addExemplars(Exemplar.newBuilder().setValue(1).setTimestamp(2));
          } else if (extra == 1) {
            b.addHistograms(ByteString.copyFromUtf8("opaque"));
          }
          return b.build();
        });
    Arbitrary<MetricMetadata> metadata = Arbitraries.of(MetricMetadata.MetricType.values())
        .filter(t -> t != MetricMetadata.MetricType.UNRECOGNIZED)
        .map(t -> MetricMetadata.newBuilder().setType(t).setMetricFamilyName("m").build());
    return Combinators.combine(series.list().ofMaxSize(8), metadata.list().ofMaxSize(1))
        .as((s, m) -> WriteRequest.newBuilder().addAllTimeseries(s).addAllMetadata(m).build());
  }

  @Property(tries = 300)
  void read_validRequest_readsWhatParseFromReads(@ForAll("requests") WriteRequest request, @ForAll Random random) {
    assertReadsLikeParseFrom(WireWriter.write(request, random, Liberties.VALID));
  }

  @Property(tries = 300)
  void read_requestBreakingRules_neverTakesWhatParseFromRefuses(
      @ForAll("requests") WriteRequest request, @ForAll Random random) {
    assertReadsLikeParseFrom(WireWriter.write(request, random, Liberties.HOSTILE));
  }

  @Property(tries = 500)
  void read_corruptedBody_neverTakesWhatParseFromRefuses(
      @ForAll("requests") WriteRequest request, @ForAll Random random) {
    assertReadsLikeParseFrom(WireWriter.mutate(WireWriter.write(request, random, Liberties.VALID), random));
  }

  @Property(tries = 100)
  void read_requestInALargerBuffer_readsOnlyItsLength(@ForAll("requests") WriteRequest request, @ForAll Random random) {
    byte[] body = request.toByteArray();
    byte[] padded = new byte[body.length + 16];
    System.arraycopy(body, 0, padded, 0, body.length);
    random.nextBytes(padded);
    System.arraycopy(body, 0, padded, 0, body.length);
    if (scan.read(padded, body.length)) {
      assertThat(scan.seriesCount).isEqualTo(request.getTimeseriesCount());
    }
    scan.release();
  }

  @Property(tries = 300)
  void read_withASenderThatKnowsSomeSeries_readsAndDescribesThemAsWithout(
      @ForAll("requests") WriteRequest request, @ForAll Random random) {
    assertReadsLikeParseFromWithSender(WireWriter.write(request, random, Liberties.VALID), random);
  }

  @Property(tries = 300)
  void read_corruptedBodyWithASender_neverTakesWhatParseFromRefuses(
      @ForAll("requests") WriteRequest request, @ForAll Random random) {
    byte[] valid = WireWriter.write(request, random, Liberties.VALID);
    SenderSeries sender = senderKnowingSomeSeriesOf(valid, random);
    byte[] corrupted = WireWriter.mutate(valid, random);
    try {
      WriteRequest.parseFrom(corrupted);
    } catch (InvalidProtocolBufferException e) {
      assertThat(scan.read(corrupted, corrupted.length, sender)).as("a request parseFrom refuses").isFalse();
    }
    scan.release();
  }

  /**
   * As the translator does with a connection's sender: a first read of the request puts some of
   * the series it described into the sender by their label bytes; a second read with that sender
   * finds exactly those ({@link RemoteWriteScan#known}), skips reading their labels, and still
   * reads, and on demand describes, every series as parseFrom does.
   */
  private void assertReadsLikeParseFromWithSender(byte[] body, Random random) {
    Map<String, Series> remembered = new HashMap<>();
    SenderSeries sender = senderKnowingSomeSeriesOf(body, random, remembered);
    if (!scan.read(body, body.length, sender)) {
      scan.release();
      return;
    }
    WriteRequest parsed;
    try {
      parsed = WriteRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("the scan took a request parseFrom refuses", e);
    }
    assertThat(scan.seriesCount).isEqualTo(parsed.getTimeseriesCount());
    for (int s = 0; s < scan.seriesCount; s++) {
      TimeSeries reference = parsed.getTimeseries(s);
      assertThat(scan.parsed(s)).isEqualTo(reference);
      if (scan.declined(s)) {
        assertThat(scan.known(s)).isNull();
        continue;
      }
      assertSamples(s, reference);
      assertLabelBytes(s, reference);
      assertThat(scan.known(s)).isSameAs(remembered.get(labelBytes(s)));
      if (scan.known(s) != null) {
        assertThat(scan.describe(s)).as("a series remembered after it was described").isTrue();
      }
      if (scan.describe(s)) {
        assertDescribes(s, reference);
      }
    }
    scan.release();
  }

  private SenderSeries senderKnowingSomeSeriesOf(byte[] body, Random random) {
    return senderKnowingSomeSeriesOf(body, random, new HashMap<>());
  }

  /** A sender that remembers about half the series the scan describes in {@code body}, in {@code remembered} by their label bytes. */
  private SenderSeries senderKnowingSomeSeriesOf(byte[] body, Random random, Map<String, Series> remembered) {
    SenderSeries sender = new SenderSeries(new SenderSeries.Budget(1 << 20, 1 << 20));
    if (scan.read(body, body.length)) {
      for (int s = 0; s < scan.seriesCount; s++) {
        if (scan.describe(s) && random.nextBoolean()) {
          Series series = newSeries();
          sender.put(scan.body(), scan.labelsFrom(s), scan.labelsTo(s), series);
          remembered.put(labelBytes(s), series);
        }
      }
    }
    scan.release();
    return sender;
  }

  private String labelBytes(int s) {
    return new String(scan.body(), scan.labelsFrom(s), scan.labelsTo(s) - scan.labelsFrom(s), StandardCharsets.ISO_8859_1);
  }

  private Series newSeries() {
    Series[] created = {null};
    store.write("m", MetricKind.GAUGE, Labels.of("i", Integer.toString(store.seriesCount())), s -> created[0] = s);
    return created[0];
  }

  private void assertReadsLikeParseFrom(byte[] body) {
    WriteRequest parsed;
    try {
      parsed = WriteRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      assertThat(scan.read(body, body.length)).as("a request parseFrom refuses").isFalse();
      scan.release();
      return;
    }
    if (!scan.read(body, body.length)) {
      scan.release(); // declined: the general parser takes it
      return;
    }
    assertThat(scan.seriesCount).isEqualTo(parsed.getTimeseriesCount());
    for (int s = 0; s < scan.seriesCount; s++) {
      TimeSeries reference = parsed.getTimeseries(s);
      assertThat(scan.parsed(s)).isEqualTo(reference);
      if (!scan.declined(s)) {
        assertSamples(s, reference);
        assertLabelBytes(s, reference);
      }
      if (scan.describe(s)) {
        assertDescribes(s, reference);
      }
    }
    scan.release();
  }

  @Property(tries = 100)
  void read_canonicalRequestWithoutMetadata_isTaken(@ForAll("requests") WriteRequest request) {
    WriteRequest plain = request.toBuilder().clearMetadata().build();
    assertThat(scan.read(plain.toByteArray(), plain.getSerializedSize())).isTrue();
    for (int s = 0; s < scan.seriesCount; s++) {
      TimeSeries series = plain.getTimeseries(s);
      boolean exotic = series.getExemplarsCount() > 0 || series.getHistogramsCount() > 0
          || series.getLabelsList().stream().anyMatch(l -> l.getName().isEmpty()
              || !(l.getName() + l.getValue()).chars().allMatch(c -> c < 128));
      assertThat(scan.declined(s)).isEqualTo(exotic);
    }
    scan.release();
  }

  private void assertSamples(int s, TimeSeries reference) {
    List<Sample> samples = reference.getSamplesList();
    assertThat(scan.samples(s)).isEqualTo(samples.size());
    for (int i = 0; i < samples.size(); i++) {
      assertThat(scan.timestamp(s, i)).isEqualTo(samples.get(i).getTimestamp());
      assertThat(Double.doubleToRawLongBits(scan.value(s, i)))
          .isEqualTo(Double.doubleToRawLongBits(samples.get(i).getValue()));
    }
  }

  /**
   * The bytes {@link SenderSeries} keys a series by hold all its labels, as parseFrom reads them,
   * so that equal bytes are equal labels.
   */
  private void assertLabelBytes(int s, TimeSeries reference) {
    TimeSeries labelsOnly;
    try {
      labelsOnly = TimeSeries.parseFrom(Arrays.copyOfRange(scan.body(), scan.labelsFrom(s), scan.labelsTo(s)));
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("the label bytes of series " + s + " do not parse", e);
    }
    assertThat(labelsOnly.getLabelsList()).isEqualTo(reference.getLabelsList());
  }

  /** What {@link RemoteWriteTranslator} builds from {@code reference}: name, labels, samples. */
  private void assertDescribes(int s, TimeSeries reference) {
    String name = null;
    Labels.Builder labels = Labels.builder();
    for (Label l : reference.getLabelsList()) {
      assertThat(RemoteWriteTranslator.isName(l.getName(), false) || l.getName().equals("__name__")).isTrue();
      if (l.getName().equals("__name__")) {
        name = l.getValue();
      } else if (!l.getValue().isEmpty()) {
        labels.put(l.getName(), l.getValue());
      }
    }
    assertThat(name).isNotNull();
    assertThat(RemoteWriteTranslator.isName(name, true)).isTrue();
    assertThat(scan.name()).isEqualTo(name);
    assertThat(scan.name()).isSameAs(scan.name()); // a name repeated costs no new string
    Labels expected = labels.build();
    assertThat(scan.labels()).isEqualTo(expected);
    assertThat(scan.hashCode()).isEqualTo(expected.hashCode());
    assertThat(scan.equals(expected)).isTrue();
    assertThat(expected.has("le")).isFalse();
    assertThat(scan.samples(s)).isEqualTo(reference.getSamplesCount());
  }
}
