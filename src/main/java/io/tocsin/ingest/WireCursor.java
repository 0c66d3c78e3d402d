package io.tocsin.ingest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;

/**
 * Reads protobuf wire format from a range of a byte array without allocating: the innermost
 * loops of {@link OtlpDecoder} (data points, attributes) run once per point and per attribute,
 * where a {@code CodedInputStream} per message would cost more than the decoding itself. Outer
 * levels use {@code CodedInputStream}; both reject the same malformed input.
 */
final class WireCursor {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int START_GROUP = 3;
  static final int END_GROUP = 4;
  static final int FIXED32 = 5;

  /**
   * How deep messages (and groups) may nest, counting the request as level 0: the default
   * recursion limit of protobuf's parsers, which refuse a message at level 101.
   */
  static final int MAX_LEVEL = 100;

  private byte[] buf;
  private int pos;
  private int limit;

  /** Reads from {@code bytes} from now on. */
  void on(byte[] bytes) {
    this.buf = bytes;
  }

  /** Positions the cursor on {@code [offset, offset + length)}. */
  WireCursor reset(int offset, int length) {
    this.pos = offset;
    this.limit = offset + length;
    return this;
  }

  int position() {
    return pos;
  }

  boolean atEnd() {
    return pos >= limit;
  }

  /** The next field's tag; 0 is never valid. */
  int readTag() throws InvalidProtocolBufferException {
    int tag = (int) readVarint();
    if ((tag >>> 3) == 0) {
      throw new InvalidProtocolBufferException("protocol message contained an invalid tag (zero)");
    }
    return tag;
  }

  long readVarint() throws InvalidProtocolBufferException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) {
        throw truncated();
      }
      byte b = buf[pos++];
      result |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new InvalidProtocolBufferException("protocol message contained a malformed varint");
  }

  long readFixed64() throws InvalidProtocolBufferException {
    if (limit - pos < 8) {
      throw truncated();
    }
    long v = (buf[pos] & 0xffL)
        | (buf[pos + 1] & 0xffL) << 8
        | (buf[pos + 2] & 0xffL) << 16
        | (buf[pos + 3] & 0xffL) << 24
        | (buf[pos + 4] & 0xffL) << 32
        | (buf[pos + 5] & 0xffL) << 40
        | (buf[pos + 6] & 0xffL) << 48
        | (buf[pos + 7] & 0xffL) << 56;
    pos += 8;
    return v;
  }

  /**
   * Reads a length prefix, checked to fit; the content starts at {@link #position()}, and
   * {@link #skip} moves past it. Like protobuf's parsers, only the low 32 bits of the varint
   * count.
   */
  int readLength() throws InvalidProtocolBufferException {
    int length = (int) readVarint();
    if (length < 0 || length > limit - pos) {
      throw new InvalidProtocolBufferException("a length-delimited field runs past the end of its message");
    }
    return length;
  }

  void skip(int n) {
    pos += n;
  }

  /**
   * Narrows the cursor to the next {@code length} bytes, the content of a nested message just
   * read with {@link #readLength}; returns the limit to give {@link #popLimit} once the content
   * has been read to its end.
   */
  int pushLimit(int length) {
    int outer = limit;
    limit = pos + length;
    return outer;
  }

  void popLimit(int outer) {
    limit = outer;
  }

  /** Checks that the next {@code length} bytes are UTF-8, as protobuf requires of a string field. */
  void checkUtf8(int length) throws InvalidProtocolBufferException {
    checkUtf8(buf, pos, length);
  }

  /** Checks {@code [offset, offset + length)} of {@code bytes} as {@link #checkUtf8(int)} does. */
  static void checkUtf8(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
    if (!isUtf8(bytes, offset, offset + length)) {
      throw new InvalidProtocolBufferException("a string field is not valid UTF-8");
    }
  }

  /** Refuses a message or group at {@code level}, counting the request as 0, as protobuf does. */
  static void checkLevel(int level) throws InvalidProtocolBufferException {
    if (level > MAX_LEVEL) {
      throw new InvalidProtocolBufferException("messages are nested more than " + MAX_LEVEL + " levels deep");
    }
  }

  /**
   * Skips a varint as protobuf-java reads a 64-bit one from an array ({@code int64}, {@code bool},
   * and the value of an unknown varint field). Up to nine bytes the rule is plain; whether a tenth
   * byte is accepted depends, in protobuf-java's array decoder, on the bytes before it and on how
   * much of the message follows (its fast and slow paths differ), so for that rare, hostile case
   * the decoder itself decides.
   */
  void skipVarint64() throws InvalidProtocolBufferException {
    int start = pos;
    for (int i = 0; i < 9; i++) {
      if (pos >= limit) {
        throw truncated();
      }
      if (buf[pos++] >= 0) {
        return;
      }
    }
    CodedInputStream reference = CodedInputStream.newInstance(buf, start, limit - start);
    try {
      reference.readRawVarint64();
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e.getMessage());
    }
    pos = start + reference.getTotalBytesRead();
  }

  /**
   * Skips the value of a field with {@code tag} in a message at nesting {@code level}, as
   * protobuf-java skips an unknown field (a varint by {@link #skipVarint64}). A group
   * (a deprecated encoding, but valid in an unknown field) is skipped up to its matching end;
   * an end-group tag anywhere else is malformed.
   */
  void skipField(int tag, int level) throws InvalidProtocolBufferException {
    switch (tag & 7) {
      case VARINT -> skipVarint64();
      case FIXED64 -> {
        if (limit - pos < 8) {
          throw truncated();
        }
        pos += 8;
      }
      case LENGTH_DELIMITED -> {
        // Read the length first: "pos += readLength()" would add it to pos as it was before the prefix.
        int length = readLength();
        pos += length;
      }
      case START_GROUP -> skipGroup(tag >>> 3, level + 1);
      case END_GROUP -> throw new InvalidProtocolBufferException("protocol message contained an unmatched end-group tag");
      case FIXED32 -> {
        if (limit - pos < 4) {
          throw truncated();
        }
        pos += 4;
      }
      default -> throw new InvalidProtocolBufferException("protocol message contained a field of unsupported wire type "
          + (tag & 7));
    }
  }

  private void skipGroup(int field, int level) throws InvalidProtocolBufferException {
    checkLevel(level);
    while (true) {
      if (pos >= limit) {
        throw truncated();
      }
      int tag = readTag();
      if ((tag & 7) == END_GROUP) {
        if ((tag >>> 3) != field) {
          throw new InvalidProtocolBufferException("protocol message contained an unmatched end-group tag");
        }
        return;
      }
      skipField(tag, level);
    }
  }

  /**
   * Strict UTF-8 as protobuf checks it: no overlong forms, no surrogates, nothing above
   * U+10FFFF, no truncated sequence.
   */
  static boolean isUtf8(byte[] bytes, int from, int to) {
    int i = from;
    while (i < to && bytes[i] >= 0) {
      i++;
    }
    while (i < to) {
      int b1 = bytes[i++];
      if (b1 >= 0) {
        continue;
      }
      if (b1 < (byte) 0xE0) { // two bytes; C0 and C1 would be overlong
        if (b1 < (byte) 0xC2 || i >= to || bytes[i++] > (byte) 0xBF) {
          return false;
        }
      } else if (b1 < (byte) 0xF0) { // three bytes
        if (to - i < 2) {
          return false;
        }
        int b2 = bytes[i++];
        if (b2 > (byte) 0xBF
            || (b1 == (byte) 0xE0 && b2 < (byte) 0xA0) // overlong
            || (b1 == (byte) 0xED && b2 >= (byte) 0xA0) // a surrogate
            || bytes[i++] > (byte) 0xBF) {
          return false;
        }
      } else { // four bytes, up to U+10FFFF
        if (to - i < 3) {
          return false;
        }
        int b2 = bytes[i++];
        if (b1 > (byte) 0xF4 || b2 > (byte) 0xBF
            || (b1 == (byte) 0xF0 && b2 < (byte) 0x90) // overlong
            || (b1 == (byte) 0xF4 && b2 >= (byte) 0x90) // above U+10FFFF
            || bytes[i++] > (byte) 0xBF || bytes[i++] > (byte) 0xBF) {
          return false;
        }
      }
    }
    return true;
  }

  private static InvalidProtocolBufferException truncated() {
    return new InvalidProtocolBufferException("the input ended in the middle of a field");
  }
}
