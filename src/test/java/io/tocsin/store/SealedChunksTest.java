package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SealedChunksTest {
  private static final long T0 = 1_700_000_000_000L;

  /** Three sealed chunks of different codings and sizes: integers, long fractions, one sample. */
  private static long[][] chunks() {
    Chunk.Writer integers = new Chunk.Writer(1);
    for (int i = 0; i < 60; i++) {
      integers.append(T0 + i * 15_000L, i % 7);
    }
    Chunk.Writer fractions = new Chunk.Writer(0.1 + 0.2);
    for (int i = 0; i < 30; i++) {
      fractions.append(T0 + 900_000 + i * 15_000L, Math.sin(i));
    }
    Chunk.Writer single = new Chunk.Writer(42);
    single.append(T0 + 2_000_000, 42);
    return new long[][] {integers.seal(), fractions.seal(), single.seal()};
  }

  private static List<String> samples(long[] chunks, int at) {
    List<String> out = new ArrayList<>();
    Chunk.forEach(chunks, at, Long.MIN_VALUE, Long.MAX_VALUE, (t, v) -> out.add(t + "=" + v));
    return out;
  }

  @Test
  void join_keepsEachChunkWholeAndFindable() {
    long[][] chunks = chunks();

    long[] joined = SealedChunks.join(chunks, 3);

    int at = 0;
    for (long[] chunk : chunks) {
      assertThat(SealedChunks.length(joined, at)).isEqualTo(chunk.length);
      assertThat(samples(joined, at)).isEqualTo(samples(chunk, 0)).isNotEmpty();
      assertThat(Chunk.lastTime(joined, at)).isEqualTo(Chunk.lastTime(chunk));
      at += chunk.length;
    }
    assertThat(at).isEqualTo(joined.length);
    assertThat(SealedChunks.lastAt(joined)).isEqualTo(chunks[0].length + chunks[1].length);
  }

  @Test
  void append_givesWhatJoinGives_andLeavesItsInputAsItWas() {
    long[][] chunks = chunks();
    long[] first = SealedChunks.append(new long[0], chunks[0]);
    long[] firstCopy = first.clone();

    long[] appended = SealedChunks.append(SealedChunks.append(first, chunks[1]), chunks[2]);

    assertThat(appended).isEqualTo(SealedChunks.join(chunks, 3));
    assertThat(first).isEqualTo(firstCopy);
    assertThat(SealedChunks.lastAt(first)).isZero();
  }

  @Test
  void join_refusesAChunkTooLongForItsLengthField() {
    long[] huge = Arrays.copyOf(chunks()[0], 1 << 16);

    assertThatThrownBy(() -> SealedChunks.join(new long[][] {huge}, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("chunk of 65536 words");
  }
}
