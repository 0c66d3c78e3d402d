package io.tocsin.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A label value as {@link Labels} holds it: a {@link String}; for a value that only one stored
 * series holds so far and that is ASCII, its bytes; or the {@link Series} that packed it ({@link
 * PackedValue}), for a value other series met while that series was in {@link LabelStrings} (the
 * instance id of one target's series of other metrics, say). A million series with an
 * instance id each held a million strings: 24 bytes of {@code String} object on top of its byte
 * array. An ASCII array has exactly the bytes, hash and order of the string (one char per byte),
 * and so has a packed value, so comparisons need no string; one is built only when someone asks
 * for the value. Sharing the packed value where it lies, rather than a copy of its bytes, saves
 * the copy (24 bytes for up to 8 chars) where one series per metric met it.
 */
final class LabelValue {
  private LabelValue() {}

  /** {@code s} as a value held alone: its bytes when it is ASCII, else the string itself. */
  static Object compact(String s) {
    int n = s.length();
    byte[] bytes = new byte[n];
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return s;
      }
      bytes[i] = (byte) c;
    }
    return bytes;
  }

  /** ASCII bytes as a value held alone, or null unless every byte is ASCII. */
  static byte[] asciiOrNull(byte[] utf8, int offset, int length) {
    for (int i = offset, end = offset + length; i < end; i++) {
      if (utf8[i] < 0) {
        return null;
      }
    }
    return Arrays.copyOfRange(utf8, offset, offset + length);
  }

  static String string(Object v) {
    if (v instanceof String s) {
      return s;
    }
    return v instanceof byte[] ascii ? new String(ascii, StandardCharsets.ISO_8859_1) : PackedValue.string((Series) v);
  }

  /** {@link String#hashCode} of the value. */
  static int hash(Object v) {
    if (v instanceof String s) {
      return s.hashCode();
    }
    if (v instanceof Series p) {
      return PackedValue.hash(p);
    }
    int h = 0;
    for (byte b : (byte[]) v) {
      h = 31 * h + b;
    }
    return h;
  }

  static int length(Object v) {
    if (v instanceof String s) {
      return s.length();
    }
    return v instanceof byte[] ascii ? ascii.length : PackedValue.length((Series) v);
  }

  static boolean equal(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a instanceof Series p) {
      return PackedValue.equal(p, b);
    }
    if (b instanceof Series p) {
      return PackedValue.equal(p, a);
    }
    if (a instanceof String s) {
      return b instanceof String t ? s.equals(t) : equalsString((byte[]) b, s);
    }
    return b instanceof byte[] t ? Arrays.equals((byte[]) a, t) : equalsString((byte[]) a, (String) b);
  }

  static boolean equalsString(Object v, String s) {
    if (v instanceof String t) {
      return t.equals(s);
    }
    return v instanceof byte[] ascii ? equalsString(ascii, s) : PackedValue.equalsString((Series) v, s);
  }

  private static boolean equalsString(byte[] ascii, String s) {
    return charsEqual(ascii, 0, ascii.length, s);
  }

  /** Whether {@code bytes[offset, offset + length)} read one char per byte are {@code s}. */
  private static boolean charsEqual(byte[] bytes, int offset, int length, String s) {
    if (length != s.length()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (bytes[offset + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code body[offset, offset + length)} are the value's chars one byte each: for ASCII
   * bytes, whether they are the value; a byte outside ASCII never equals a char.
   */
  static boolean equalsAscii(Object v, byte[] body, int offset, int length) {
    if (v instanceof byte[] ascii) {
      return Arrays.equals(body, offset, offset + length, ascii, 0, ascii.length);
    }
    if (v instanceof Series p) {
      return PackedValue.equalsAscii(p, body, offset, length);
    }
    return charsEqual(body, offset, length, (String) v);
  }

  /** {@link String#compareTo} of the values. */
  static int compare(Object a, Object b) {
    if (a == b) { // canonical strings (LabelStrings), the most common case among a metric's series and groups
      return 0;
    }
    if (a instanceof String s && b instanceof String t) {
      return s.compareTo(t);
    }
    int n = Math.min(length(a), length(b));
    for (int i = 0; i < n; i++) {
      int cmp = charAt(a, i) - charAt(b, i);
      if (cmp != 0) {
        return cmp;
      }
    }
    return length(a) - length(b);
  }

  static char charAt(Object v, int i) {
    if (v instanceof String s) {
      return s.charAt(i);
    }
    return v instanceof byte[] ascii ? (char) ascii[i] : (char) PackedValue.charAt((Series) v, i);
  }
}
