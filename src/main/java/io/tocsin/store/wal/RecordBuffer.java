package io.tocsin.store.wal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array that records are written into, reused from record to record so that
 * appending a sample allocates nothing. It is also the {@link DataOutput} a writer-state codec
 * writes to.
 */
final class RecordBuffer implements DataOutput {
  byte[] bytes;
  int size;

  RecordBuffer(int capacity) {
    bytes = new byte[capacity];
  }

  void clear() {
    size = 0;
  }

  /** Empties the buffer, and lets go of its array when that grew beyond {@code maxCapacity}. */
  void trimTo(int maxCapacity) {
    size = 0;
    if (bytes.length > maxCapacity) {
      bytes = new byte[maxCapacity];
    }
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }

  void writeVarLong(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      bytes[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    bytes[size++] = (byte) v;
  }

  void writeString(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    writeVarLong(utf8.length);
    write(utf8, 0, utf8.length);
  }

  void writeDoubles(double[] values) {
    writeVarLong(values.length);
    for (double v : values) {
      writeDouble(v);
    }
  }

  /** Copies {@code other}'s bytes to the end of this buffer. */
  void append(RecordBuffer other) {
    write(other.bytes, 0, other.size);
  }

  @Override
  public void write(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b) {
    write(b, 0, b.length);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  @Override
  public void writeBoolean(boolean v) {
    write(v ? 1 : 0);
  }

  @Override
  public void writeByte(int v) {
    write(v);
  }

  @Override
  public void writeShort(int v) {
    ensure(2);
    bytes[size++] = (byte) (v >>> 8);
    bytes[size++] = (byte) v;
  }

  @Override
  public void writeChar(int v) {
    writeShort(v);
  }

  @Override
  public void writeInt(int v) {
    ensure(4);
    bytes[size++] = (byte) (v >>> 24);
    bytes[size++] = (byte) (v >>> 16);
    bytes[size++] = (byte) (v >>> 8);
    bytes[size++] = (byte) v;
  }

  @Override
  public void writeLong(long v) {
    writeInt((int) (v >>> 32));
    writeInt((int) v);
  }

  @Override
  public void writeFloat(float v) {
    writeInt(Float.floatToRawIntBits(v));
  }

  @Override
  public void writeDouble(double v) {
    writeLong(Double.doubleToRawLongBits(v));
  }

  @Override
  public void writeBytes(String s) {
    for (int i = 0; i < s.length(); i++) {
      write(s.charAt(i));
    }
  }

  @Override
  public void writeChars(String s) {
    for (int i = 0; i < s.length(); i++) {
      writeChar(s.charAt(i));
    }
  }

  /** Java's modified UTF-8, as {@link java.io.DataInput#readUTF} expects; not on any hot path. */
  @Override
  public void writeUTF(String s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new DataOutputStream(bytes).writeUTF(s);
    write(bytes.toByteArray());
  }
}
