package io.tocsin.store.wal;

import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.WriterStateCodec;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The binary form of write-ahead log records. A record is {@code varint length, body, CRC32C}
 * where the checksum covers the length bytes and the body, so a torn or flipped record is told
 * apart from a good one. The body's first byte is the type, with two flag bits that say whether
 * the series' writer state changed with it:
 *
 * <ul>
 *   <li>{@code SERIES}: id, kind, metric, labels. Written the first time a series appears after
 *       the log was opened or cut for a snapshot, so replay from a snapshot's segment knows every
 *       series it meets (see {@code WriteAheadLog#epochStart}).
 *   <li>{@code SAMPLE}: id, time, the value as stored (a counter's increase; a stale marker is
 *       its NaN), then the new writer state when {@code HAS_STATE}.
 *   <li>{@code HISTOGRAM}: id, time, the stored sample or none (a stale marker), then state.
 *   <li>{@code STATE}: id, then the state (or {@code CLEARS_STATE}).
 * </ul>
 *
 * Numbers are unsigned LEB128 varints, values raw IEEE 754 bits big-endian.
 */
final class WalRecords {
  static final int SERIES = 1;
  static final int SAMPLE = 2;
  static final int HISTOGRAM = 3;
  static final int STATE = 4;
  static final int HAS_STATE = 0x40;
  static final int CLEARS_STATE = 0x20;
  private static final int TYPE_MASK = 0x0F;

  /** A body larger than this is a damaged length, not a record. */
  static final int MAX_BODY_BYTES = 64 << 20;

  /** Passed to a visitor when a record leaves the series' writer state as it was. */
  static final Object UNCHANGED = new Object();

  private static final MetricKind[] KINDS = MetricKind.values();

  private WalRecords() {}

  /** What replay is told, record by record. */
  interface Visitor {
    /**
     * Whether the series of {@code id} is known already (restored from a snapshot, say): then its
     * definition record, checksum-verified, is passed over without decoding its labels.
     */
    default boolean knows(long id) {
      return false;
    }

    void series(long id, String metric, MetricKind kind, Labels labels);

    /** {@code state} is {@link #UNCHANGED}, null (cleared) or the new state. */
    void sample(long id, long timeMs, double value, Object state);

    /** {@code sample} is null for a stale marker. */
    void histogram(long id, long timeMs, HistogramSample sample, Object state);

    void state(long id, Object state);
  }

  static void seriesBody(RecordBuffer body, long id, String metric, MetricKind kind, Labels labels) {
    body.clear();
    body.write(SERIES);
    body.writeVarLong(id);
    body.write(kind.ordinal());
    body.writeString(metric);
    body.writeVarLong(labels.size());
    for (int i = 0; i < labels.size(); i++) {
      body.writeString(labels.key(i));
      body.writeString(labels.value(i));
    }
  }

  static void sampleBody(RecordBuffer body, long id, long timeMs, double value) {
    body.clear();
    body.write(SAMPLE);
    body.writeVarLong(id);
    body.writeVarLong(timeMs);
    body.writeDouble(value);
  }

  static void histogramBody(RecordBuffer body, long id, long timeMs, HistogramSample sample) {
    body.clear();
    body.write(HISTOGRAM);
    body.writeVarLong(id);
    body.writeVarLong(timeMs);
    if (sample == null) {
      body.write(0);
      return;
    }
    body.write(1);
    body.writeDouble(sample.count());
    body.writeDouble(sample.sum());
    body.writeDoubles(sample.bounds());
    body.writeDoubles(sample.counts());
  }

  static void stateBody(RecordBuffer body, long id) {
    body.clear();
    body.write(STATE);
    body.writeVarLong(id);
  }

  /** Adds the writer state (null: cleared) to a body just begun; {@code scratch} is reused. */
  static void addState(RecordBuffer body, Object state, WriterStateCodec codec, RecordBuffer scratch)
      throws IOException {
    if (state == null) {
      body.bytes[0] |= CLEARS_STATE;
      return;
    }
    scratch.clear();
    codec.write(state, scratch);
    addStateBytes(body, scratch);
  }

  /**
   * Like {@link #addState} with a counter's state that its series keeps unboxed, in the same bytes
   * ({@link WriterStateCodec#writeCounter}).
   */
  static void addCounterState(RecordBuffer body, long startNanos, double lastValue, WriterStateCodec codec,
      RecordBuffer scratch) throws IOException {
    scratch.clear();
    codec.writeCounter(startNanos, lastValue, scratch);
    addStateBytes(body, scratch);
  }

  private static void addStateBytes(RecordBuffer body, RecordBuffer state) {
    body.bytes[0] |= HAS_STATE;
    body.writeVarLong(state.size);
    body.append(state);
  }

  /** Appends {@code body} to {@code out} as a framed record; returns the bytes added. */
  static int frame(RecordBuffer body, RecordBuffer out, CRC32C crc) {
    int start = out.size;
    out.writeVarLong(body.size);
    out.append(body);
    crc.reset();
    crc.update(out.bytes, start, out.size - start);
    out.writeInt((int) crc.getValue());
    return out.size - start;
  }

  /**
   * How far a read got: {@code goodEnd} is the position after the last good record; {@code
   * damage} is null when the data ended cleanly at a record boundary, else what was wrong there.
   */
  record Outcome(int goodEnd, int records, String damage) {}

  /**
   * Visits the records of {@code data} from its position to its limit, stopping at the first one
   * that is torn, fails its checksum or does not parse. Never throws for bad bytes.
   */
  static Outcome read(ByteBuffer data, WriterStateCodec codec, Visitor visitor) {
    CRC32C crc = new CRC32C();
    StateInput state = new StateInput();
    int records = 0;
    int end = data.limit();
    // Each record is checked and decoded in place, by narrowing data's limit to it: a replay of
    // millions of records allocates nothing per record but what the records hold.
    try {
      while (data.position() < end) {
        int start = data.position();
        try {
          long length = readVarLong(data);
          if (length > MAX_BODY_BYTES) {
            throw new Corrupt("record length " + length + " is implausible");
          }
          int bodyStart = data.position();
          if (end - bodyStart < length + 4) {
            throw new Corrupt("record is cut off (" + length + "-byte body, " + (end - bodyStart) + " bytes left)");
          }
          int bodyEnd = bodyStart + (int) length;
          data.position(start).limit(bodyEnd);
          crc.reset();
          crc.update(data);
          int stored = data.limit(end).getInt(bodyEnd);
          if (stored != (int) crc.getValue()) {
            throw new Corrupt("checksum mismatch");
          }
          data.position(bodyStart).limit(bodyEnd);
          visit(data, codec, state, visitor);
          data.limit(end).position(bodyEnd + 4);
          records++;
        } catch (Corrupt e) {
          data.limit(end);
          return new Outcome(start, records, e.getMessage());
        }
      }
      return new Outcome(data.position(), records, null);
    } finally {
      data.limit(end);
    }
  }

  private static void visit(ByteBuffer body, WriterStateCodec codec, StateInput input, Visitor visitor)
      throws Corrupt {
    int typeByte = readByte(body);
    int type = typeByte & TYPE_MASK;
    long id = readVarLong(body);
    switch (type) {
      case SERIES -> {
        if (visitor.knows(id)) {
          return;
        }
        int kind = readByte(body);
        if (kind >= KINDS.length) {
          throw new Corrupt("unknown metric kind " + kind);
        }
        String metric = readString(body);
        long pairs = readVarLong(body);
        if (pairs > body.remaining() / 2) {
          throw new Corrupt("label count " + pairs + " exceeds the record");
        }
        Labels.Builder labels = Labels.builder();
        for (long i = 0; i < pairs; i++) {
          labels.put(readString(body), readString(body));
        }
        end(body);
        visitor.series(id, metric, KINDS[kind], labels.build());
      }
      case SAMPLE -> {
        long time = readVarLong(body);
        double value = Double.longBitsToDouble(readLong(body));
        Object state = readState(typeByte, body, codec, input);
        visitor.sample(id, time, value, state);
      }
      case HISTOGRAM -> {
        long time = readVarLong(body);
        HistogramSample sample = null;
        int present = readByte(body);
        if (present == 1) {
          double count = Double.longBitsToDouble(readLong(body));
          double sum = Double.longBitsToDouble(readLong(body));
          double[] bounds = readDoubles(body);
          double[] counts = readDoubles(body);
          if (!(bounds.length == 0 && counts.length == 0) && counts.length != bounds.length + 1) {
            throw new Corrupt("histogram with " + bounds.length + " bounds and " + counts.length + " counts");
          }
          sample = new HistogramSample(count, sum, bounds, counts);
        } else if (present != 0) {
          throw new Corrupt("bad histogram marker " + present);
        }
        Object state = readState(typeByte, body, codec, input);
        visitor.histogram(id, time, sample, state);
      }
      case STATE -> {
        Object state = readState(typeByte, body, codec, input);
        if (state == UNCHANGED) {
          throw new Corrupt("state record without a state");
        }
        visitor.state(id, state);
      }
      default -> throw new Corrupt("unknown record type " + typeByte);
    }
  }

  private static Object readState(int typeByte, ByteBuffer body, WriterStateCodec codec, StateInput input)
      throws Corrupt {
    boolean has = (typeByte & HAS_STATE) != 0;
    boolean clears = (typeByte & CLEARS_STATE) != 0;
    if (has && clears) {
      throw new Corrupt("record both sets and clears the state");
    }
    Object state = UNCHANGED;
    if (clears) {
      state = null;
    } else if (has) {
      long length = readVarLong(body);
      if (length > body.remaining()) {
        throw new Corrupt("state of " + length + " bytes exceeds the record");
      }
      int stateEnd = body.position() + (int) length;
      try {
        state = codec.read(input.over(body, stateEnd));
        if (body.position() != stateEnd) {
          throw new Corrupt("writer state has " + (stateEnd - body.position()) + " bytes left over");
        }
      } catch (IOException | RuntimeException e) {
        throw new Corrupt("writer state does not decode: " + e);
      } finally {
        input.release(body);
      }
    }
    end(body);
    return state;
  }

  private static void end(ByteBuffer body) throws Corrupt {
    if (body.hasRemaining()) {
      throw new Corrupt(body.remaining() + " bytes left over in a record");
    }
  }

  private static int readByte(ByteBuffer b) throws Corrupt {
    if (!b.hasRemaining()) {
      throw new Corrupt("record ends early");
    }
    return b.get() & 0xFF;
  }

  private static long readLong(ByteBuffer b) throws Corrupt {
    if (b.remaining() < 8) {
      throw new Corrupt("record ends early");
    }
    return b.getLong();
  }

  static long readVarLong(ByteBuffer b) throws Corrupt {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!b.hasRemaining()) {
        throw new Corrupt("record is cut off in a number");
      }
      int next = b.get() & 0xFF;
      result |= (long) (next & 0x7F) << shift;
      if ((next & 0x80) == 0) {
        return result;
      }
    }
    throw new Corrupt("number longer than 10 bytes");
  }

  private static double[] readDoubles(ByteBuffer b) throws Corrupt {
    long n = readVarLong(b);
    if (n > b.remaining() / 8) {
      throw new Corrupt(n + " values exceed the record");
    }
    double[] values = new double[(int) n];
    for (int i = 0; i < values.length; i++) {
      values[i] = Double.longBitsToDouble(b.getLong());
    }
    return values;
  }

  private static String readString(ByteBuffer b) throws Corrupt {
    long n = readVarLong(b);
    if (n > b.remaining()) {
      throw new Corrupt("string of " + n + " bytes exceeds the record");
    }
    ByteBuffer bytes = b.slice(b.position(), (int) n);
    b.position(b.position() + (int) n);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new Corrupt("string is not UTF-8");
    }
  }

  /**
   * The writer state of a record as a {@link DataInput}, read straight from the record's bytes;
   * one per read, reused for every record.
   */
  private static final class StateInput extends InputStream {
    private final DataInputStream data = new DataInputStream(this);
    private ByteBuffer body;
    private int bodyLimit;

    /** Reads {@code body} from its position up to {@code stateEnd}, which is within its limit. */
    DataInput over(ByteBuffer body, int stateEnd) {
      this.body = body;
      this.bodyLimit = body.limit();
      body.limit(stateEnd);
      return data;
    }

    /** Gives {@code body} its limit back. */
    void release(ByteBuffer body) {
      body.limit(bodyLimit);
      this.body = null;
    }

    @Override
    public int read() {
      return body.hasRemaining() ? body.get() & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (!body.hasRemaining()) {
        return -1;
      }
      int n = Math.min(len, body.remaining());
      body.get(b, off, n);
      return n;
    }

    @Override
    public int available() {
      return body.remaining();
    }
  }

  /** Bytes that are not a good record; carries no stack trace, as it is routine on a torn tail. */
  static final class Corrupt extends Exception {
    private static final long serialVersionUID = 1L;

    Corrupt(String message) {
      super(message, null, false, false);
    }
  }
}
