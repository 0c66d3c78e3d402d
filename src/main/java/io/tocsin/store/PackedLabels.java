package io.tocsin.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A store series' labels holding one value in long fields of their own, as ASCII bytes: the value
 * no other series held when the series was stored ({@link LabelStrings#held}), such as an instance
 * id. Held alone as a byte array, that value cost the array's 16-byte header and the rounding of
 * its length to 8 bytes besides its reference; here it costs its bytes rounded up to 8 (a value of
 * up to 8 bytes makes the labels 40 bytes, of 16 bytes 48, of 24 bytes 56). The value's field of
 * {@link Labels} holds {@link Labels#PACKED}.
 *
 * <p>Byte {@code k} of the value is byte {@code k % 8} (the lowest first) of word {@code k / 8};
 * the bytes after the value are zero, and a packed value has no zero byte, so its length is where
 * the zeros start, and two values of those forms are equal exactly when their words are.
 *
 * <p>A value longer than a word whose start other series hold ({@link Suffixed}) keeps only its
 * last {@link Suffixed#SUFFIX} chars in a word and shares the rest: labels of 40 bytes instead of
 * 48 or 56 for values such as {@code instance-123456}, numbered ids after a common prefix.
 */
abstract sealed class PackedLabels extends Labels permits PackedLabels.Word1, PackedLabels.Word2,
    PackedLabels.Word3, PackedLabels.Suffixed {
  /** The longest value packed: three words. */
  static final int MAX_LENGTH = 24;

  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  PackedLabels(Object keySet, Object[] values) {
    super(keySet, values, 0, 1);
  }

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

  /**
   * Labels of {@code keySet} and {@code values}, where the value {@link #fits} {@code packed} is
   * at {@code index}, which holds {@link Labels#PACKED}. A value longer than a word whose start
   * ({@link Suffixed#prefix}) the store holds already shares that start ({@link Suffixed}); the
   * start of one no other series starts with is offered to {@link LabelStrings}, for the next.
   */
  static PackedLabels of(Object keySet, Object[] values, int index, String packed) {
    if (packed.length() > 8 && index <= Suffixed.MAX_INDEX) {
      String prefix = Suffixed.prefix(packed);
      Object held = LabelStrings.held(prefix);
      if (held != null) {
        values[index] = held;
        return new Suffixed(keySet, values, Suffixed.word(packed, index));
      }
      LabelStrings.offer(prefix, LabelValue.compact(prefix));
    }
    return ofWords(keySet, values, packed);
  }

  /** As {@link #of}, with the whole value in words. */
  static PackedLabels ofWords(Object keySet, Object[] values, String packed) {
    long[] w = new long[3];
    for (int i = 0; i < packed.length(); i++) {
      w[i >>> 3] |= (long) packed.charAt(i) << ((i & 7) << 3);
    }
    return words(keySet, values, w[0], w[1], w[2]);
  }

  private static PackedLabels words(Object keySet, Object[] values, long w0, long w1, long w2) {
    if (w1 == 0) {
      return new Word1(keySet, values, w0);
    }
    return w2 == 0 ? new Word2(keySet, values, w0, w1) : new Word3(keySet, values, w0, w1, w2);
  }

  /**
   * Word {@code k} of the value; zero past its end. Tests of the final classes rather than a
   * method each overrides: a call site that meets all three would make a virtual call per char.
   */
  final long word(int k) {
    if (this instanceof Word2 w) {
      return k == 0 ? w.w0 : k == 1 ? w.w1 : 0;
    }
    if (this instanceof Word1 w) {
      return k == 0 ? w.w0 : 0;
    }
    Word3 w = (Word3) this;
    return k == 0 ? w.w0 : k == 1 ? w.w1 : k == 2 ? w.w2 : 0;
  }

  final int words() {
    return this instanceof Word2 ? 2 : this instanceof Word1 ? 1 : 3;
  }

  /** The same labels with {@code keySet}, of equal keys. */
  final PackedLabels withKeys(Object keySet) {
    if (this instanceof Suffixed x) {
      return new Suffixed(keySet, heldValues(), x.w0);
    }
    return words(keySet, heldValues(), word(0), word(1), word(2));
  }

  final int packedLength() {
    if (this instanceof Suffixed x) {
      return x.prefixLength() + Suffixed.SUFFIX;
    }
    int k = words() - 1;
    return 8 * k + (71 - Long.numberOfLeadingZeros(word(k))) / 8;
  }

  final int packedChar(int i) {
    if (this instanceof Suffixed x) {
      int n = x.prefixLength();
      return i < n ? LabelValue.charAt(x.prefix(), i) : (int) (x.w0 >>> ((i - n) << 3)) & 0xFF;
    }
    return (int) (word(i >>> 3) >>> ((i & 7) << 3)) & 0xFF;
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

  final byte[] packedBytes() {
    byte[] bytes = new byte[packedLength()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) packedChar(i);
    }
    return bytes;
  }

  final String packedString() {
    return new String(packedBytes(), StandardCharsets.ISO_8859_1);
  }

  /** {@link String#hashCode} of the value. */
  final int packedHash() {
    if (this instanceof Suffixed x) {
      int h = LabelValue.hash(x.prefix());
      for (int i = 0; i < Suffixed.SUFFIX; i++) {
        h = 31 * h + (int) (x.w0 >>> (i << 3) & 0xFF);
      }
      return h;
    }
    int h = 0;
    for (int k = 0, words = words(); k < words; k++) {
      for (long w = word(k); w != 0; w >>>= 8) {
        h = 31 * h + (int) (w & 0xFF);
      }
    }
    return h;
  }

  final boolean packedEquals(String s) {
    int n = packedLength();
    if (n != s.length()) {
      return false;
    }
    if (this instanceof Suffixed) {
      for (int i = 0; i < n; i++) {
        if (packedChar(i) != s.charAt(i)) {
          return false;
        }
      }
      return true;
    }
    for (int k = 0; 8 * k < n; k++) {
      long w = word(k);
      for (int i = 8 * k, end = Math.min(n, i + 8); i < end; i++, w >>>= 8) {
        if ((w & 0xFF) != s.charAt(i)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Whether {@code bytes[offset, offset + length)} are the value's bytes: compared a word at a
   * time, as ingest compares a request's attribute with every series it names.
   */
  final boolean packedEqualsAscii(byte[] bytes, int offset, int length) {
    if (length != packedLength()) {
      return false;
    }
    if (this instanceof Suffixed x) {
      int n = length - Suffixed.SUFFIX;
      return wordOf(bytes, offset + n, Suffixed.SUFFIX) == (x.w0 & Suffixed.CHARS)
          && LabelValue.equalsAscii(x.prefix(), bytes, offset, n);
    }
    for (int k = 0; 8 * k < length; k++) {
      if (wordOf(bytes, offset + 8 * k, Math.min(8, length - 8 * k)) != word(k)) {
        return false;
      }
    }
    return true;
  }

  final boolean packedEquals(PackedLabels other) {
    if (this instanceof Suffixed x && other instanceof Suffixed y) {
      // Series that share a start mostly share its object too.
      return ((x.w0 ^ y.w0) & Suffixed.CHARS) == 0 && LabelValue.equal(x.prefix(), y.prefix());
    }
    if (this instanceof Suffixed || other instanceof Suffixed) {
      int n = packedLength();
      if (n != other.packedLength()) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (packedChar(i) != other.packedChar(i)) {
          return false;
        }
      }
      return true;
    }
    return word(0) == other.word(0) && word(1) == other.word(1) && word(2) == other.word(2);
  }

  /** Whether {@code v}, a {@link LabelValue}, is the packed value. */
  final boolean packedEquals(Object v) {
    if (v instanceof String s) {
      return packedEquals(s);
    }
    if (v instanceof PackedLabels p) {
      return packedEquals(p);
    }
    byte[] ascii = (byte[]) v;
    return packedEqualsAscii(ascii, 0, ascii.length);
  }

  static final class Word1 extends PackedLabels {
    private final long w0;

    Word1(Object keySet, Object[] values, long w0) {
      super(keySet, values);
      this.w0 = w0;
    }
  }

  static final class Word2 extends PackedLabels {
    private final long w0;
    private final long w1;

    Word2(Object keySet, Object[] values, long w0, long w1) {
      super(keySet, values);
      this.w0 = w0;
      this.w1 = w1;
    }
  }

  static final class Word3 extends PackedLabels {
    private final long w0;
    private final long w1;
    private final long w2;

    Word3(Object keySet, Object[] values, long w0, long w1, long w2) {
      super(keySet, values);
      this.w0 = w0;
      this.w1 = w1;
      this.w2 = w2;
    }
  }

  /**
   * Labels whose packed value is longer than a word and starts with a value the store held when
   * they were made ({@link LabelStrings#held}), such as {@code instance-} of {@code
   * instance-123456}: that start is shared, in the value's field (where other packed labels hold
   * {@link Labels#PACKED}); the last {@link #SUFFIX} chars are bytes 0-6 of {@link #w0}, and the
   * value's index is its top byte.
   */
  static final class Suffixed extends PackedLabels {
    /** Chars in the word: the eighth byte holds the index. */
    static final int SUFFIX = 7;
    static final long CHARS = (1L << (8 * SUFFIX)) - 1;
    /** The largest index the top byte holds. */
    static final int MAX_INDEX = 255;

    private final long w0;

    Suffixed(Object keySet, Object[] values, long w0) {
      super(keySet, values);
      this.w0 = w0;
    }

    /** All but the last {@link #SUFFIX} chars of {@code packed}. */
    static String prefix(String packed) {
      return packed.substring(0, packed.length() - SUFFIX);
    }

    /** The word of {@code packed} at {@code index}: its last chars and the index. */
    static long word(String packed, int index) {
      long w = (long) index << (8 * SUFFIX);
      for (int i = 0, at = packed.length() - SUFFIX; i < SUFFIX; i++) {
        w |= (long) packed.charAt(at + i) << (i << 3);
      }
      return w;
    }

    /** The index of the packed value. */
    int index() {
      return (int) (w0 >>> (8 * SUFFIX));
    }

    /** The shared start of the value, a {@link LabelValue}. */
    Object prefix() {
      return held(index());
    }

    int prefixLength() {
      return LabelValue.length(prefix());
    }
  }
}
