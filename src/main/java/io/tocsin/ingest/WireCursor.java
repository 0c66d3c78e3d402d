package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;

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
  static final int FIXED32 = 5;

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
   * {@link #skip} moves past it.
   */
  int readLength() throws InvalidProtocolBufferException {
    long length = readVarint();
    if (length < 0 || length > limit - pos) {
      throw new InvalidProtocolBufferException("a length-delimited field runs past the end of its message");
    }
    return (int) length;
  }

  void skip(int n) {
    pos += n;
  }

  /** Skips the value of a field with {@code tag}. */
  void skipField(int tag) throws InvalidProtocolBufferException {
    switch (tag & 7) {
      case VARINT -> readVarint();
      case FIXED64 -> {
        if (limit - pos < 8) {
          throw truncated();
        }
        pos += 8;
      }
      case LENGTH_DELIMITED -> pos += readLength();
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

  private static InvalidProtocolBufferException truncated() {
    return new InvalidProtocolBufferException("the input ended in the middle of a field");
  }
}
