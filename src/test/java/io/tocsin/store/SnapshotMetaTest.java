package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class SnapshotMetaTest {
  @Test
  void decode_ofWhatEncodeWrote_givesTheSameMeta() throws IOException {
    SnapshotMeta meta = new SnapshotMeta(7, 1_700_000_000_000L, 3, 180, 2, 4096, SnapshotMeta.FORMAT);

    assertThat(SnapshotMeta.decode(meta.encode())).isEqualTo(meta);
  }

  @Test
  void decode_aNewerFormat_isRefusedSayingWhichVersionsAreRead() {
    // What a newer Tocsin writes, read by this one: refused as a whole, not taken for damage chunk by chunk.
    byte[] newer = new SnapshotMeta(7, 1_700_000_000_000L, 3, 180, 2, 4096, 5).encode();

    assertThatThrownBy(() -> SnapshotMeta.decode(newer)).isInstanceOf(IOException.class)
        .hasMessage("meta has format version 5; this Tocsin reads versions 1 to 4");
  }
}
