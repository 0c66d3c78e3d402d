package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** The cursor's UTF-8 check against protobuf's own, which parseFrom applies to string fields. */
class WireCursorTest {
  @Example
  void isUtf8_everyTwoByteSequence_agreesWithProtobuf() {
    byte[] bytes = new byte[2];
    for (int i = 0; i < 65536; i++) {
      bytes[0] = (byte) (i >> 8);
      bytes[1] = (byte) i;
      assertThat(WireCursor.isUtf8(bytes, 0, 2)).as("%04x", i).isEqualTo(ByteString.copyFrom(bytes).isValidUtf8());
    }
  }

  @Provide
  Arbitrary<byte[]> nearlyUtf8() {
    // Lead and continuation bytes near every boundary of the encoding, and ASCII.
    return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.bytes().between((byte) 0x80, (byte) 0xbf)),
            Tuple.of(2, Arbitraries.of((byte) 0xc0, (byte) 0xc2, (byte) 0xdf, (byte) 0xe0, (byte) 0xed,
                (byte) 0xef, (byte) 0xf0, (byte) 0xf4, (byte) 0xf5, (byte) 0xff)),
            Tuple.of(1, Arbitraries.bytes().between((byte) 0, (byte) 0x7f)))
        .array(byte[].class).ofMaxSize(9);
  }

  @Property(tries = 3000)
  void isUtf8_nearlyUtf8Bytes_agreesWithProtobuf(@ForAll("nearlyUtf8") byte[] bytes) {
    assertThat(WireCursor.isUtf8(bytes, 0, bytes.length)).isEqualTo(ByteString.copyFrom(bytes).isValidUtf8());
  }
}
