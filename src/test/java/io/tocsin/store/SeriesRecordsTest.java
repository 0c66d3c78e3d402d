package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.START;
import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One series record read back on its own: the sealed chunks a reader keeps, and the records it
 * refuses, for a block whose checksum matched but whose writer had a defect.
 */
class SeriesRecordsTest {
  private static final long STEP_MS = 15_000;
  private static final Labels LABELS = Labels.of("host", "a");

  private final MutableClock clock = new MutableClock(T0);
  private final StoreSettings settings = new StoreSettings(Duration.ofHours(2), 100, 100);
  @TempDir
  Path dir;

  @Test
  void read_keepsTheSealedChunksEndingAtOrAfterTheCutoff_backToBack() throws IOException {
    Series.SeriesImage image = image(500);
    List<long[]> chunks = chunks(image.sealed());
    assertThat(chunks).hasSizeGreaterThan(2);
    long cutoff = Chunk.lastTime(chunks.get(0)) + 1; // the first chunk ends before it, the second after
    long[] samples = {0};

    Series read = SeriesRecords.read(input(image), SnapshotMeta.FORMAT, new SeriesStore(clock, settings), cutoff,
        new StateCodec(), samples);

    Series.SeriesImage back = read.image(Long.MIN_VALUE, state -> null);
    assertThat(back.sealed()).isEqualTo(Arrays.copyOfRange(image.sealed(), chunks.get(0).length,
        image.sealed().length));
    assertThat(back.head().words()).isEqualTo(image.head().words());
    assertThat(samples[0]).isEqualTo(500 - Chunk.count(chunks.get(0)));
  }

  @Test
  void read_ofTwoRecordsInABlock_theLongerFirst_givesEachItsOwnChunks() throws IOException {
    Series.SeriesImage longer = image(LABELS, 700);
    Series.SeriesImage shorter = image(Labels.of("host", "b"), 300);
    BlockInput in = input(longer, shorter);
    SeriesStore store = new SeriesStore(clock, settings);

    Series first = SeriesRecords.read(in, SnapshotMeta.FORMAT, store, Long.MIN_VALUE, new StateCodec(), new long[1]);
    Series second = SeriesRecords.read(in, SnapshotMeta.FORMAT, store, Long.MIN_VALUE, new StateCodec(), new long[1]);

    assertThat(first.image(Long.MIN_VALUE, state -> null).sealed()).isEqualTo(longer.sealed());
    assertThat(second.image(Long.MIN_VALUE, state -> null).sealed()).isEqualTo(shorter.sealed());
    assertThat(in.hasRemaining()).isFalse();
  }

  @Test
  void read_withTheCutoffPastEverySealedChunk_keepsOnlyTheHead() throws IOException {
    Series.SeriesImage image = image(LABELS, 500);
    long[] samples = {0};

    Series read = SeriesRecords.read(input(image), SnapshotMeta.FORMAT, new SeriesStore(clock, settings),
        Chunk.firstTime(image.head().words()), new StateCodec(), samples);

    assertThat(read.image(Long.MIN_VALUE, state -> null).sealed()).isEmpty();
    assertThat(samples[0]).isEqualTo(Chunk.count(image.head().words()));
  }

  @Test
  void read_ofSeriesThatPackALabelValue_givesTheSameLabels() throws IOException {
    Labels word = Labels.of("host", "a", "instance", new String("rT-9.abc"));
    Labels suffixed = Labels.of("host", "a", "instance", new String("records-suffix-0002"));
    StoredSeries.holdStartOf("records-suffix-0002");
    Series.SeriesImage wordImage = image(word, 10);
    Series.SeriesImage suffixedImage = image(suffixed, 10);
    assertThat(wordImage.series()).isInstanceOf(Series.Packed.class);
    assertThat(suffixedImage.series().packsSuffixed(1)).isTrue();
    BlockInput in = input(wordImage, suffixedImage);
    SeriesStore store = new SeriesStore(clock, settings);

    Series first = SeriesRecords.read(in, SnapshotMeta.FORMAT, store, Long.MIN_VALUE, new StateCodec(), new long[1]);
    Series second = SeriesRecords.read(in, SnapshotMeta.FORMAT, store, Long.MIN_VALUE, new StateCodec(), new long[1]);

    assertThat(first).isEqualTo(word).hasSameHashCodeAs(word).hasToString(word.toString());
    assertThat(second).isEqualTo(suffixed).hasSameHashCodeAs(suffixed).hasToString(suffixed.toString());
    assertThat(second.value(1)).isEqualTo("records-suffix-0002");
  }

  @Test
  void read_ofSealedChunksOutOfOrder_isAnIOExceptionNamingTheSeries() throws IOException {
    Series.SeriesImage image = image(500);
    List<long[]> chunks = chunks(image.sealed());
    long[] swapped = new long[image.sealed().length];
    System.arraycopy(chunks.get(1), 0, swapped, 0, chunks.get(1).length);
    System.arraycopy(chunks.get(0), 0, swapped, chunks.get(1).length, chunks.get(0).length);
    System.arraycopy(image.sealed(), chunks.get(0).length + chunks.get(1).length, swapped,
        chunks.get(0).length + chunks.get(1).length, swapped.length - chunks.get(0).length - chunks.get(1).length);
    Series.SeriesImage damaged = new Series.SeriesImage(image.series(), image.lastTimeMs(), null, swapped,
        image.head(), null);

    IOException e = catchThrowableOfType(IOException.class, () -> SeriesRecords.read(input(damaged),
        SnapshotMeta.FORMAT, new SeriesStore(clock, settings), Long.MIN_VALUE, new StateCodec(), new long[1]));

    assertThat(e).hasMessage("cpu" + LABELS + " has a chunk out of order or without samples");
  }

  private Series.SeriesImage image(int samples) throws IOException {
    return image(LABELS, samples);
  }

  /** A gauge series of {@code samples} samples, 15 s apart, as a snapshot takes it. */
  private Series.SeriesImage image(Labels labels, int samples) throws IOException {
    clock.setMillis(START);
    SeriesStore store = new SeriesStore(clock, settings);
    for (int i = 0; i < samples; i++) {
      long t = START + i * STEP_MS;
      double value = i % 7 + 0.25;
      write(store, "cpu", MetricKind.GAUGE, labels, series -> series.append(t, value));
    }
    clock.setMillis(START + samples * STEP_MS);
    List<Series> all = new ArrayList<>();
    store.forEachSeries(all::add);
    return all.get(0).image(Long.MIN_VALUE, state -> null);
  }

  private static List<long[]> chunks(long[] sealed) {
    List<long[]> chunks = new ArrayList<>();
    for (int at = 0; at < sealed.length; at += SealedChunks.length(sealed, at)) {
      chunks.add(Arrays.copyOfRange(sealed, at, at + SealedChunks.length(sealed, at)));
    }
    return chunks;
  }

  /** The records of {@code images} as a reader gets them: the payload of a block holding only them. */
  private BlockInput input(Series.SeriesImage... images) throws IOException {
    BlockOutput out = new BlockOutput(1024);
    for (Series.SeriesImage image : images) {
      SeriesRecords.write(out, image);
    }
    Path file = dir.resolve("block-" + System.nanoTime());
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.writeTo(channel);
    }
    byte[] block = Files.readAllBytes(file);
    int length = ByteBuffer.wrap(block).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
    byte[] payload = Arrays.copyOfRange(block, BlockOutput.HEADER_BYTES, BlockOutput.HEADER_BYTES + length);
    return new BlockInput(payload, payload.length);
  }
}
