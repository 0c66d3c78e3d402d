package io.tocsin.ingest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.store.Labels;
import io.tocsin.store.LabelsProbe;
import io.tocsin.store.Series;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A remote-write {@code WriteRequest} read straight from its bytes, for the common request:
 * series of labels and samples, with ASCII label names and values. Such a series of a known
 * Tocsin series then finds it as a {@link LabelsProbe}, without a string, a {@link Labels} or a
 * protobuf object per sample; the translator writes every other series as before, from the
 * generated {@link TimeSeries}.
 *
 * <p>{@link #read} walks the whole request before anything is written and declines (false) what
 * it does not cover so that the caller parses it the general way: metadata, a malformed request
 * (whose error the general parser then gives), a field of an unexpected wire type. A series with
 * anything else (exemplars, native histograms, unknown fields, non-ASCII strings) is
 * <em>declined</em> on its own: it is parsed by protobuf here, in the first pass, so a request
 * that protobuf would refuse is still refused whole. Mutable, reused request after request by
 * one thread.
 */
final class RemoteWriteScan extends LabelsProbe {
  private static final byte[] NAME = "__name__".getBytes(StandardCharsets.US_ASCII);
  /** Arrays grown past this many entries by one large request are dropped after it. */
  private static final int KEEP_ENTRIES = 1 << 16;
  /** A request buffer larger than this (a request of about 40,000 samples) is dropped after its request. */
  private static final int KEEP_BUFFER = 4 << 20;

  // What an ASCII byte may be in a name: first character, later character, ':' (metric names only).
  private static final int FIRST = 1;
  private static final int NEXT = 2;
  private static final int COLON = 4;
  private static final byte[] NAME_CHARS = new byte[128];

  static {
    for (int c = 0; c < 128; c++) {
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      NAME_CHARS[c] = (byte) ((letter ? FIRST | NEXT : 0) | (c >= '0' && c <= '9' ? NEXT : 0)
          | (c == ':' ? FIRST | COLON : 0));
    }
  }

  private final WireCursor in = new WireCursor();
  private byte[] requestBuffer = new byte[0];
  private byte[] body;

  int seriesCount;
  private int[] seriesOffset = new int[64];
  private int[] seriesLength = new int[64];
  private int[] firstLabel = new int[64];
  private int[] labelCount = new int[64];
  private int[] firstSample = new int[64];
  private int[] sampleCount = new int[64];
  /** The label fields of a series lie in {@code [labelsFrom, labelsTo)} of the body, with whatever is between them. */
  private int[] labelsFrom = new int[64];
  private int[] labelsTo = new int[64];
  /** Non-null for a declined series: it as protobuf parsed it. */
  private TimeSeries[] declined = new TimeSeries[64];
  /**
   * Non-null for a series its sender sent under the same label bytes before: that series, whose
   * labels are not read unless {@link #describe} needs them ({@link #labelCount} is then -1).
   */
  private Series[] known = new Series[64];
  private SenderSeries sender;

  private int labels;
  private int[] keyOffset = new int[256];
  private int[] keyLength = new int[256];
  private int[] valueOffset = new int[256];
  private int[] valueLength = new int[256];

  private final String[] recentNames = new String[32];

  private int samples;
  private long[] timestamps = new long[64];
  private double[] values = new double[64];

  // The series the probe describes, set by describe().
  private int probeSeries;
  private int probeSize;
  private int probeHash;
  private int nameLabel;

  /**
   * Reads {@code length} bytes of {@code bytes} as a WriteRequest; false to decline the
   * request (see the class comment), when nothing of it may be taken from here.
   */
  boolean read(byte[] bytes, int length) {
    return read(bytes, length, null);
  }

  /**
   * {@link #read(byte[], int)}, finding each series that {@code sender} (null: none) knows by its
   * label bytes as it goes ({@link #known}): their labels are not read. Bytes equal to bytes a
   * sender remembers were read as labels when it took them, so they need no second check; reading
   * them (field by field, every byte checked for ASCII) was a quarter of a request's CPU.
   */
  boolean read(byte[] bytes, int length, SenderSeries sender) {
    this.sender = sender;
    body = bytes;
    in.on(bytes);
    in.reset(0, length);
    seriesCount = 0;
    labels = 0;
    samples = 0;
    try {
      while (!in.atEnd()) {
        int tag = in.readTag();
        if (tag >>> 3 == 1 && (tag & 7) == WireCursor.LENGTH_DELIMITED) {
          int len = in.readLength();
          int offset = in.position();
          readSeries(offset, len);
          in.reset(offset + len, length - offset - len);
        } else if (tag >>> 3 == 1 || tag >>> 3 == 3) {
          return false; // metadata, or a field of the wrong wire type: the general parser decides
        } else {
          in.skipField(tag, 1);
        }
      }
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  /** A buffer of at least {@code length} bytes for the next request, reused while it is small. */
  byte[] buffer(int length) {
    if (requestBuffer.length < length) {
      requestBuffer = new byte[Math.max(length, Math.min(KEEP_BUFFER, requestBuffer.length * 2))];
    }
    return requestBuffer;
  }

  /** Drops arrays a very large request grew. */
  void release() {
    body = null;
    sender = null;
    if (requestBuffer.length > KEEP_BUFFER) {
      requestBuffer = new byte[0];
    }
    Arrays.fill(declined, 0, seriesCount, null);
    Arrays.fill(known, 0, seriesCount, null);
    if (declined.length > KEEP_ENTRIES || keyOffset.length > KEEP_ENTRIES || timestamps.length > KEEP_ENTRIES) {
      seriesOffset = new int[64];
      seriesLength = new int[64];
      firstLabel = new int[64];
      labelCount = new int[64];
      firstSample = new int[64];
      sampleCount = new int[64];
      labelsFrom = new int[64];
      labelsTo = new int[64];
      declined = new TimeSeries[64];
      known = new Series[64];
      keyOffset = new int[256];
      keyLength = new int[256];
      valueOffset = new int[256];
      valueLength = new int[256];
      timestamps = new long[64];
      values = new double[64];
    }
  }

  private void readSeries(int offset, int length) throws InvalidProtocolBufferException {
    int s = seriesCount++;
    if (s == seriesOffset.length) {
      int n = s * 2;
      seriesOffset = Arrays.copyOf(seriesOffset, n);
      seriesLength = Arrays.copyOf(seriesLength, n);
      firstLabel = Arrays.copyOf(firstLabel, n);
      labelCount = Arrays.copyOf(labelCount, n);
      firstSample = Arrays.copyOf(firstSample, n);
      sampleCount = Arrays.copyOf(sampleCount, n);
      labelsFrom = Arrays.copyOf(labelsFrom, n);
      labelsTo = Arrays.copyOf(labelsTo, n);
      declined = Arrays.copyOf(declined, n);
      known = Arrays.copyOf(known, n);
    }
    seriesOffset[s] = offset;
    seriesLength[s] = length;
    firstLabel[s] = labels;
    firstSample[s] = samples;
    labelsFrom[s] = offset;
    labelsTo[s] = offset;
    in.reset(offset, length);
    if (!readSeriesFields(s)) {
      labels = firstLabel[s];
      samples = firstSample[s];
      known[s] = null;
      declined[s] = parseSeries(offset, length);
    }
    labelCount[s] = known[s] != null ? -1 : labels - firstLabel[s];
    sampleCount[s] = samples - firstSample[s];
  }

  /**
   * The series at {@code [offset, offset + length)} as the generated parser reads it inside a
   * request: one level down, so a group nested too deep for the whole request is refused here too.
   */
  private TimeSeries parseSeries(int offset, int length) throws InvalidProtocolBufferException {
    CodedInputStream series = CodedInputStream.newInstance(body, offset, length);
    series.setRecursionLimit(WireCursor.MAX_LEVEL - 1);
    return TimeSeries.parser().parseFrom(series);
  }

  /**
   * The fields of series {@code s}, its labels last unless its sender knows them; false when it
   * holds something this class leaves to protobuf.
   */
  private boolean readSeriesFields(int s) throws InvalidProtocolBufferException {
    boolean anyLabel = false;
    while (!in.atEnd()) {
      int fieldStart = in.position();
      int tag = in.readTag();
      if ((tag & 7) != WireCursor.LENGTH_DELIMITED) {
        return false;
      }
      int len = in.readLength();
      int end = in.position() + len;
      if (tag >>> 3 == 1) {
        labelsFrom[s] = anyLabel ? labelsFrom[s] : fieldStart;
        labelsTo[s] = end;
        anyLabel = true;
        in.skip(len);
        continue;
      }
      int outer = in.pushLimit(len);
      if (tag >>> 3 != 2 || !readSample()) {
        return false;
      }
      in.popLimit(outer);
      in.reset(end, outer - end);
    }
    if (sender != null && anyLabel) {
      known[s] = sender.find(body, labelsFrom[s], labelsTo[s]);
      if (known[s] != null) {
        return true;
      }
    }
    return readLabels(s);
  }

  /** Reads the label fields of series {@code s}, at the end of the labels read so far; false as {@link #readLabel}. */
  private boolean readLabels(int s) throws InvalidProtocolBufferException {
    int from = labelsFrom[s];
    int to = labelsTo[s];
    in.reset(from, to - from);
    while (!in.atEnd()) {
      int tag = in.readTag();
      int len = in.readLength();
      int end = in.position() + len;
      if (tag >>> 3 == 1) {
        int outer = in.pushLimit(len);
        if (!readLabel()) {
          return false;
        }
        in.popLimit(outer);
      }
      in.reset(end, to - end);
    }
    return true;
  }

  private boolean readLabel() throws InvalidProtocolBufferException {
    int kOffset = -1;
    int kLength = 0;
    int vOffset = -1;
    int vLength = 0;
    while (!in.atEnd()) {
      int tag = in.readTag();
      if ((tag & 7) != WireCursor.LENGTH_DELIMITED || (tag >>> 3 != 1 && tag >>> 3 != 2)) {
        return false;
      }
      int len = in.readLength();
      int offset = in.position();
      if (!isAscii(body, offset, len)) {
        return false;
      }
      if (tag >>> 3 == 1) {
        kOffset = offset;
        kLength = len;
      } else {
        vOffset = offset;
        vLength = len;
      }
      in.skip(len);
    }
    if (kOffset < 0 || kLength == 0) {
      return false; // an empty name: the general path names the bad label
    }
    if (labels == keyOffset.length) {
      int n = labels * 2;
      keyOffset = Arrays.copyOf(keyOffset, n);
      keyLength = Arrays.copyOf(keyLength, n);
      valueOffset = Arrays.copyOf(valueOffset, n);
      valueLength = Arrays.copyOf(valueLength, n);
    }
    keyOffset[labels] = kOffset;
    keyLength[labels] = kLength;
    valueOffset[labels] = Math.max(0, vOffset);
    valueLength[labels] = vLength;
    labels++;
    return true;
  }

  private boolean readSample() throws InvalidProtocolBufferException {
    double value = 0;
    long timestamp = 0;
    while (!in.atEnd()) {
      int tag = in.readTag();
      if (tag == (1 << 3 | WireCursor.FIXED64)) {
        value = Double.longBitsToDouble(in.readFixed64());
      } else if (tag == (2 << 3 | WireCursor.VARINT)) {
        timestamp = in.readVarint();
      } else {
        return false;
      }
    }
    if (samples == timestamps.length) {
      timestamps = Arrays.copyOf(timestamps, samples * 2);
      values = Arrays.copyOf(values, samples * 2);
    }
    timestamps[samples] = timestamp;
    values[samples] = value;
    samples++;
    return true;
  }

  // --- one series ----------------------------------------------------------------------------

  /** Series {@code s} as protobuf parses it; declined ones were parsed in {@link #read}. */
  TimeSeries parsed(int s) {
    if (declined[s] != null) {
      return declined[s];
    }
    try {
      return parseSeries(seriesOffset[s], seriesLength[s]);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a series read once did not parse again", e);
    }
  }

  boolean declined(int s) {
    return declined[s] != null;
  }

  /** The series its sender sent under series {@code s}'s label bytes before (maybe evicted since), or null. */
  Series known(int s) {
    return known[s];
  }

  /**
   * Where the label fields of series {@code s} (not declined) start in {@link #body()}: the bytes
   * {@code [labelsFrom, labelsTo)} hold all of them, so equal bytes are equal labels.
   */
  int labelsFrom(int s) {
    return labelsFrom[s];
  }

  int labelsTo(int s) {
    return labelsTo[s];
  }

  /** The request being read. */
  byte[] body() {
    return body;
  }

  int samples(int s) {
    return sampleCount[s];
  }

  long timestamp(int s, int i) {
    return timestamps[firstSample[s] + i];
  }

  double value(int s, int i) {
    return values[firstSample[s] + i];
  }

  /**
   * Makes this probe describe series {@code s}: false when the series must take the general path
   * (declined; no or several {@code __name__}; a name or label name outside Prometheus' grammar;
   * an {@code le} label; labels not strictly sorted by name, as Prometheus sends them).
   */
  boolean describe(int s) {
    if (declined[s] != null) {
      return false;
    }
    if (labelCount[s] < 0) {
      firstLabel[s] = labels;
      try {
        if (!readLabels(s)) {
          throw new IllegalStateException("label bytes a sender remembered do not read as labels");
        }
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("label bytes a sender remembered do not read as labels", e);
      }
      labelCount[s] = labels - firstLabel[s];
    }
    int name = -1;
    int size = 0;
    int hash = 0;
    int previous = -1;
    for (int l = firstLabel[s], end = l + labelCount[s]; l < end; l++) {
      if (equals(keyOffset[l], keyLength[l], NAME)) {
        if (name >= 0) {
          return false;
        }
        name = l;
        continue;
      }
      if (!isName(keyOffset[l], keyLength[l], false) || isLe(l)) {
        return false;
      }
      if (valueLength[l] == 0) {
        continue; // an empty value is an absent label
      }
      if (previous >= 0 && compareKeys(previous, l) >= 0) {
        return false;
      }
      previous = l;
      size++;
      hash += Labels.pairHash(asciiHash(keyOffset[l], keyLength[l]), asciiHash(valueOffset[l], valueLength[l]));
    }
    if (name < 0 || !isName(valueOffset[name], valueLength[name], true)) {
      return false;
    }
    probeSeries = s;
    probeSize = size;
    probeHash = hash;
    nameLabel = name;
    return true;
  }

  /** The described series' metric name; the last few are kept, so a name costs a string once per request or less. */
  String name() {
    int offset = valueOffset[nameLabel];
    int length = valueLength[nameLabel];
    int slot = asciiHash(offset, length) & (recentNames.length - 1);
    String recent = recentNames[slot];
    if (recent != null && equalsAscii(offset, length, recent)) {
      return recent;
    }
    return recentNames[slot] = new String(body, offset, length, StandardCharsets.US_ASCII);
  }

  /** Metric-name length of the described series. */
  int nameLength() {
    return valueLength[nameLabel];
  }

  /** The described series' labels, built. */
  Labels labels() {
    Labels.Builder builder = Labels.builder();
    int s = probeSeries;
    for (int l = firstLabel[s], end = l + labelCount[s]; l < end; l++) {
      if (l != nameLabel && valueLength[l] > 0) {
        builder.put(new String(body, keyOffset[l], keyLength[l], StandardCharsets.US_ASCII),
            new String(body, valueOffset[l], valueLength[l], StandardCharsets.US_ASCII));
      }
    }
    return builder.build();
  }

  @Override
  protected int labelsHash() {
    return probeHash;
  }

  @Override
  protected boolean matches(Labels other) {
    if (other.size() != probeSize) {
      return false;
    }
    int j = 0;
    int s = probeSeries;
    for (int l = firstLabel[s], end = l + labelCount[s]; l < end; l++) {
      if (l == nameLabel || valueLength[l] == 0) {
        continue;
      }
      if (!equalsAscii(keyOffset[l], keyLength[l], other.key(j))
          || !other.valueEqualsAscii(j, body, valueOffset[l], valueLength[l])) {
        return false;
      }
      j++;
    }
    return true;
  }

  // --- bytes ---------------------------------------------------------------------------------

  private boolean isLe(int l) {
    return keyLength[l] == 2 && body[keyOffset[l]] == 'l' && body[keyOffset[l] + 1] == 'e';
  }

  /** {@link RemoteWriteTranslator#isName} on ASCII bytes. */
  private boolean isName(int offset, int length, boolean metric) {
    if (length == 0 || (NAME_CHARS[body[offset]] & FIRST) == 0) {
      return false;
    }
    int allowed = metric ? NEXT | COLON : NEXT;
    for (int i = offset + 1, end = offset + length; i < end; i++) {
      if ((NAME_CHARS[body[i]] & allowed) == 0) {
        return false;
      }
    }
    return metric || body[offset] != ':';
  }

  private int compareKeys(int a, int b) {
    return Arrays.compare(body, keyOffset[a], keyOffset[a] + keyLength[a], body, keyOffset[b], keyOffset[b] + keyLength[b]);
  }

  private boolean equals(int offset, int length, byte[] ascii) {
    return Arrays.equals(body, offset, offset + length, ascii, 0, ascii.length);
  }

  private int asciiHash(int offset, int length) {
    int h = 0;
    for (int i = offset, end = offset + length; i < end; i++) {
      h = 31 * h + body[i];
    }
    return h;
  }

  private boolean equalsAscii(int offset, int length, String s) {
    if (length != s.length()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (body[offset + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAscii(byte[] bytes, int offset, int length) {
    for (int i = offset, end = offset + length; i < end; i++) {
      if (bytes[i] < 0) {
        return false;
      }
    }
    return true;
  }
}
