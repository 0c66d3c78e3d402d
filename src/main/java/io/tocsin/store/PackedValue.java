package io.tocsin.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A series' label value packed into a word of the series itself ({@link Series#packedWord}): the
 * value no other series held when the series was stored ({@link LabelStrings#held}), such as an
 * instance id. Held alone as a byte array, that value cost the array's 16-byte header and the
 * rounding of its length to 8 bytes besides its reference; packed, it costs the word. The value's
 * field of the labels holds {@link Labels#IN_WORD}, and the series itself stands for the value as
 * a {@link LabelValue} (another series that meets the value shares it that way).
 *
 * <p>Two forms, told apart by the word's sign:
 *
 * <ul>
 *   <li>a value of up to 8 chars: byte {@code k} of the word (the lowest first) is char {@code k},
 *       and the bytes after the value are zero. A packed value has no zero byte and is ASCII, so
 *       its length is where the zeros start, the top bit is clear, and two values of this form are
 *       equal exactly when their words are;
 *   <li><b>suffixed</b>: a longer value whose start other series hold, such as {@code instance-}
 *       of {@code instance-123456}. The start is shared, in the value's field; bytes 0-6 of the
 *       word are the last {@link #SUFFIX} chars, and the top byte is the value's index with the
 *       top bit set.
 * </ul>
 */
final class PackedValue {
  /** The longest value packed, as a shared start and {@link #SUFFIX} chars. */
  static final int MAX_LENGTH = 24;
  /** The longest value packed whole into the word. */
  static final int WORD_CHARS = 8;
  /** Chars of a suffixed value in the word: the eighth byte holds its index. */
  static final int SUFFIX = 7;
  private static final long SUFFIX_CHARS = (1L << (8 * SUFFIX)) - 1;
  /** The largest index of a suffixed value: the top byte holds it beside the mark. */
  static final int MAX_INDEX = 127;

  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private PackedValue() {}

  /** Whether {@code s} can be packed: 1 to {@link #MAX_LENGTH} chars, each ASCII and not zero. */
  static boolean fits(String s) {
    int n = s.length();
    if (n == 0 || n > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == 0 || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** The word of {@code s}, which {@link #fits} in {@link #WORD_CHARS}. */
  static long word(String s) {
    long w = 0;
    for (int i = 0; i < s.length(); i++) {
      w |= (long) s.charAt(i) << (i << 3);
    }
    return w;
  }

  /** All but the last {@link #SUFFIX} chars of {@code s}: the start a suffixed value shares. */
  static String prefix(String s) {
    return s.substring(0, s.length() - SUFFIX);
  }

  /** The word of {@code s}, longer than a word, at {@code index}: its last chars, the index and the mark. */
  static long suffixed(String s, int index) {
    long w = Long.MIN_VALUE | (long) index << (8 * SUFFIX);
    for (int i = 0, at = s.length() - SUFFIX; i < SUFFIX; i++) {
      w |= (long) s.charAt(at + i) << (i << 3);
    }
    return w;
  }

  static boolean isSuffixed(long word) {
    return word < 0;
  }

  /** The index of a suffixed value. */
  static int index(long word) {
    return (int) (word >>> (8 * SUFFIX)) & MAX_INDEX;
  }

  /** The shared start of the suffixed value of {@code s}, a {@link LabelValue}. */
  private static Object prefix(Series s, long word) {
    return s.held(index(word));
  }

  static int length(Series s) {
    long w = s.packedWord();
    if (w < 0) {
      return LabelValue.length(prefix(s, w)) + SUFFIX;
    }
    return (71 - Long.numberOfLeadingZeros(w)) >>> 3;
  }

  static int charAt(Series s, int i) {
    long w = s.packedWord();
    if (w < 0) {
      Object prefix = prefix(s, w);
      int n = LabelValue.length(prefix);
      return i < n ? LabelValue.charAt(prefix, i) : (int) (w >>> ((i - n) << 3)) & 0xFF;
    }
    return (int) (w >>> (i << 3)) & 0xFF;
  }

  static String string(Series s) {
    byte[] bytes = new byte[length(s)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) charAt(s, i);
    }
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** {@link String#hashCode} of the value. */
  static int hash(Series s) {
    long w = s.packedWord();
    if (w < 0) {
      int h = LabelValue.hash(prefix(s, w));
      for (int i = 0; i < SUFFIX; i++) {
        h = 31 * h + (int) (w >>> (i << 3) & 0xFF);
      }
      return h;
    }
    int h = 0;
    for (; w != 0; w >>>= 8) {
      h = 31 * h + (int) (w & 0xFF);
    }
    return h;
  }

  static boolean equalsString(Series s, String t) {
    int n = length(s);
    if (n != t.length()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (charAt(s, i) != t.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code bytes[offset, offset + length)} are the value's bytes: compared a word at a
   * time, as ingest compares a request's attribute with every series it names.
   */
  static boolean equalsAscii(Series s, byte[] bytes, int offset, int length) {
    long w = s.packedWord();
    if (w < 0) {
      Object prefix = prefix(s, w);
      int n = length - SUFFIX;
      return n == LabelValue.length(prefix) && wordOf(bytes, offset + n, SUFFIX) == (w & SUFFIX_CHARS)
          && LabelValue.equalsAscii(prefix, bytes, offset, n);
    }
    return length <= WORD_CHARS && length == length(s) && wordOf(bytes, offset, length) == w;
  }

  /** Whether the packed values of {@code a} and {@code b} are equal. */
  static boolean equal(Series a, Series b) {
    long x = a.packedWord();
    long y = b.packedWord();
    if (x < 0 && y < 0) {
      // Series that share a start mostly share its object too.
      return ((x ^ y) & SUFFIX_CHARS) == 0 && LabelValue.equal(prefix(a, x), prefix(b, y));
    }
    if (x >= 0 && y >= 0) {
      return x == y;
    }
    int n = length(a);
    if (n != length(b)) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (charAt(a, i) != charAt(b, i)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code v}, a {@link LabelValue}, is the packed value of {@code s}. */
  static boolean equal(Series s, Object v) {
    if (v instanceof String t) {
      return equalsString(s, t);
    }
    if (v instanceof Series other) {
      return equal(s, other);
    }
    byte[] ascii = (byte[]) v;
    return equalsAscii(s, ascii, 0, ascii.length);
  }

  /** Bytes {@code [at, at + n)} of {@code bytes}, {@code n} at most 8, as a word of a packed value. */
  private static long wordOf(byte[] bytes, int at, int n) {
    if (n == 8) {
      return (long) LONG_LE.get(bytes, at);
    }
    long w = 0;
    for (int i = n - 1; i >= 0; i--) {
      w = w << 8 | (bytes[at + i] & 0xFF);
    }
    return w;
  }
}
