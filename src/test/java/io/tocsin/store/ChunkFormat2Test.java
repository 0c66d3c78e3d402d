package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Chunks of format 2 read back as the samples they were written from. {@code chunks-v2.txt.gz}
 * was made by main at 66ce318 (the last with the three-word header): 300 random sample runs
 * (regular and jittered intervals, deltas past {@link Chunk.Head#MAX_DELTA}, decimal changes at
 * every coding's limits, NaN, infinities, stale markers, -0.0, arbitrary doubles), each written
 * by the series' chunk writer; a {@code samples} line gives the samples, then a {@code sealed}
 * line per sealed chunk's words and a {@code head} line with the head's words, bit length and
 * coding state.
 */
class ChunkFormat2Test {
  @Test
  void sealedAndHead_ofFormat2Chunks_holdTheSamplesTheyWereWrittenFrom() throws IOException {
    List<String> lines = lines();
    int runs = 0;
    for (int i = 0; i < lines.size(); runs++) {
      String[] samples = lines.get(i++).split(" ");
      assertThat(samples[0]).isEqualTo("samples");
      List<String> expected = Arrays.asList(samples).subList(1, samples.length);
      List<long[]> chunks = new ArrayList<>();
      while (lines.get(i).startsWith("sealed ")) {
        chunks.addAll(ChunkFormat2.sealed(words(lines.get(i++).split(" ")[1]), 2));
      }
      String[] head = lines.get(i++).split(" ");
      ChunkFormat2.Head converted = ChunkFormat2.head(words(head[1]), Integer.parseInt(head[2]), 2);
      chunks.addAll(converted.sealed());

      List<String> decoded = new ArrayList<>();
      for (long[] chunk : chunks) {
        assertThat(Chunk.wellFormed(chunk)).isTrue();
        Chunk.forEach(chunk, Long.MIN_VALUE, Long.MAX_VALUE, (t, v) -> decoded.add(describe(t, v)));
      }
      // The head goes on appending where the old one stopped: the last value again, 15 s later.
      Chunk.Writer writer = new Chunk.Writer(converted.head());
      String[] last = expected.get(expected.size() - 1).split("=");
      long next = Long.parseLong(last[0]) + 15_000;
      double value = Double.longBitsToDouble(Long.parseUnsignedLong(last[1], 16));
      List<String> all = new ArrayList<>(expected);
      if (Chunk.count(writer.words()) < Chunk.MAX_COUNT) {
        assertThat(writer.append(next, value)).isTrue();
        all.add(describe(next, value));
      }
      Chunk.forEach(writer.words(), Long.MIN_VALUE, Long.MAX_VALUE, (t, v) -> decoded.add(describe(t, v)));
      assertThat(decoded).as("run %d", runs).isEqualTo(all);
    }
    assertThat(runs).isEqualTo(300);
  }

  @Test
  void sealed_ofAChunkWithAnImpossibleHeader_isRefused() {
    long[] chunk = {1000, 2000, 5L | 7L << 32, 0, 0};
    assertThatThrownBy(() -> ChunkFormat2.sealed(chunk, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("chunk of format 2 has a header no writer made");
  }

  private static String describe(long time, double value) {
    return time + "=" + Long.toHexString(Double.doubleToRawLongBits(value));
  }

  private static long[] words(String hex) {
    return Arrays.stream(hex.split(",")).mapToLong(w -> Long.parseUnsignedLong(w, 16)).toArray();
  }

  private static List<String> lines() throws IOException {
    InputStream in = ChunkFormat2Test.class.getResourceAsStream("/io/tocsin/store/chunks-v2.txt.gz");
    assertThat(in).isNotNull();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
      return reader.lines().toList();
    }
  }
}
