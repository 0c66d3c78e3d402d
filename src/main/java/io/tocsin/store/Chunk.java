package io.tocsin.store;

import java.util.Arrays;

/**
 * The compressed form of a run of samples: a {@code long[]} holding a two-word header and a bit
 * stream. Timestamps are delta-of-delta coded as in Facebook's Gorilla, except that those of a
 * regular run are not coded at all. Values use one of two codings, chosen per chunk by its first
 * value:
 *
 * <ul>
 *   <li><b>decimal</b>: most metric values are integers or have a few decimals (counts, bytes,
 *       percentages). Such a value is an integer mantissa times {@code 10^-exponent}; the chunk
 *       stores the difference between consecutive mantissas in 1 to 69 bits. A slowly changing
 *       gauge with two decimals costs about ten bits per sample, a constant one bit.
 *   <li><b>xor</b>: Gorilla's XOR against the previous value, for values with long fractions.
 * </ul>
 *
 * NaN, infinities and {@link StaleMarker stale markers} are escaped inside a decimal chunk. A
 * finite value that does not fit the chunk's exponent makes the writer start a new chunk. A
 * decimal chunk whose samples are all regular and finite may be <b>packed</b> ({@link #pack}):
 * each change of the mantissa in the same number of bits, so that a reader finds each without
 * reading the ones before; its coding field is {@link #PACKED}, its exponent in its stream.
 *
 * <p>Header: word 0 the first time; word 1 the last time as an offset from the first (low 32
 * bits), the sample count and the number of leading samples that are regular (7 bits each), the
 * coding (4 bits: the decimal exponent, {@link #PACKED} or {@link #XOR}) and, in a sealed chunk, its length in
 * words (top 14 bits; a head chunk keeps its slot's capacity there, and clears it in a copy).
 * The bit stream after it starts with the first value (a decimal chunk codes its first mantissa
 * as a change from 0), then the second sample's timestamp (its interval as a
 * change from 0) and value. The samples of the regular run that follows, each one interval after
 * the one before, are their values only: almost every scrape and export is regular, so a
 * timestamp usually costs nothing, and a reader knows those times without reading the stream.
 * After the first sample off the interval, each sample's timestamp is coded again as a change of
 * the interval. Sealed chunks are trimmed to their exact length and never change; the head
 * chunk's header is kept current, so readers decode both the same way.
 *
 * <p>A chunk holds at most {@link #MAX_COUNT} samples, each at most {@link Head#MAX_DELTA} after
 * the one before (so its span fits the header's 32 bits); the writer refuses a sample beyond
 * either, and a new chunk takes it. Snapshots of
 * formats 1 and 2 kept a three-word header and coded every timestamp: {@link ChunkFormat2} codes
 * their samples again.
 *
 * <p>A series keeps its sealed chunks back to back in one array ({@link SealedChunks}); the
 * methods that take an offset {@code at} read the chunk that starts at that word.
 */
final class Chunk {
  static final int HEADER_WORDS = 2;
  /**
   * Header word 1: the last time's offset from the first, in its low 32 bits, which hold {@link
   * #MAX_COUNT} - 1 intervals of up to {@link Head#MAX_DELTA} (2^31).
   */
  private static final long SPAN_MASK = 0xffff_ffffL;
  private static final int COUNT_SHIFT = 32;
  /** The most samples a chunk holds (a series cuts them at {@link Series#MAX_CHUNK_SAMPLES}). */
  static final int MAX_COUNT = 127;
  private static final int REGULAR_SHIFT = 39;
  private static final int CODING_SHIFT = 46;
  /** Where {@link SealedChunks} keeps a sealed chunk's length in words in header word 1. */
  static final int LENGTH_SHIFT = 50;
  /** Bits of a head chunk's packed state that hold its length in bits. */
  private static final int BIT_LENGTH_BITS = 15;
  /**
   * The most bits a chunk holds: 511 words, above what {@link #MAX_COUNT} samples take at worst
   * (about 145 bits each), and below the 16,383 words the header's length field records.
   */
  static final int MAX_BIT_LENGTH = (1 << BIT_LENGTH_BITS) - 1;
  static final int MAX_EXPONENT = 12;

  /** The coding field of an xor chunk; a decimal chunk's holds its exponent. */
  private static final int XOR = 15;
  /**
   * The coding field of a packed decimal chunk, whose stream starts with its exponent (4 bits)
   * and the width of its changes (6 bits, {@link #PACKED_FIELD_BITS}); see {@link #pack}.
   */
  private static final int PACKED = 13;
  static final int PACKED_FIELD_BITS = 10;
  private static final double TWO_POW_53 = 0x1p53;
  private static final double[] POW10 = new double[MAX_EXPONENT + 1];

  static {
    double p = 1;
    for (int i = 0; i <= MAX_EXPONENT; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  private Chunk() {}

  static long firstTime(long[] chunk) {
    return chunk[0];
  }

  static long lastTime(long[] chunk) {
    return lastTime(chunk, 0);
  }

  static int count(long[] chunk) {
    return count(chunk, 0);
  }

  static long firstTime(long[] chunks, int at) {
    return chunks[at];
  }

  static long lastTime(long[] chunks, int at) {
    return chunks[at] + (chunks[at + 1] & SPAN_MASK);
  }

  static int count(long[] chunks, int at) {
    return (int) (chunks[at + 1] >>> COUNT_SHIFT) & MAX_COUNT;
  }

  /** How many of the first samples lie one interval apart, their timestamps not coded. */
  static int regular(long[] chunks, int at) {
    return (int) (chunks[at + 1] >>> REGULAR_SHIFT) & MAX_COUNT;
  }

  private static int coding(long header) {
    return (int) (header >>> CODING_SHIFT) & 15;
  }

  /** Whether the chunk at {@code at} is in the packed decimal coding ({@link #pack}). */
  static boolean packed(long[] chunks, int at) {
    return coding(chunks[at + 1]) == PACKED;
  }

  /** The decimal exponent of the chunk at {@code at}, which is not an xor chunk. */
  static int exponent(long[] chunks, int at) {
    int coding = coding(chunks[at + 1]);
    return coding == PACKED ? (int) (chunks[at + HEADER_WORDS] >>> 60) : coding;
  }

  /** The bits of each change of the packed chunk at {@code at}, 0 to 63. */
  static int packedWidth(long[] chunks, int at) {
    return (int) (chunks[at + HEADER_WORDS] >>> 54) & 63;
  }

  /** {@code 10^exponent}, for exponents from 0 to {@link #MAX_EXPONENT}: what a decimal mantissa is divided by. */
  static double scale(int exponent) {
    return POW10[exponent];
  }

  /**
   * Whether a chunk read from a file has a header a writer could have made: at least one sample,
   * a known coding, a regular run no longer than the chunk (and of at least two samples when it
   * holds two), a stream after the header.
   */
  static boolean wellFormed(long[] chunk) {
    return wellFormed(chunk, 0, chunk.length);
  }

  /** {@link #wellFormed(long[])} for the chunk of {@code length} words at {@code at}. */
  static boolean wellFormed(long[] chunks, int at, int length) {
    if (length <= HEADER_WORDS) {
      return false;
    }
    int count = count(chunks, at);
    int regular = regular(chunks, at);
    int coding = coding(chunks[at + 1]);
    if (coding == PACKED) { // every sample regular; the exponent in the stream indexes the powers of ten
      return count >= 1 && regular == count && exponent(chunks, at) <= MAX_EXPONENT;
    }
    return count >= 1 && regular <= count && regular >= Math.min(count, 2) && (coding <= MAX_EXPONENT || coding == XOR);
  }

  /**
   * The smallest exponent {@code e >= minExponent} such that {@code value} is exactly an integer
   * divided by {@code 10^e}, or -1 when there is none (long fractions, NaN, infinities, -0.0).
   */
  static int decimalExponent(double value, int minExponent) {
    for (int e = minExponent; e <= MAX_EXPONENT; e++) {
      double scaled = value * POW10[e];
      if (!(Math.abs(scaled) < TWO_POW_53)) {
        return -1;
      }
      long mantissa = (long) Math.rint(scaled);
      if (Double.doubleToRawLongBits(mantissa / POW10[e]) == Double.doubleToRawLongBits(value)) {
        return e;
      }
    }
    return -1;
  }

  /** Calls {@code visitor} for every sample with {@code from <= time < to}, in time order. */
  static void forEach(long[] chunk, long from, long to, SampleVisitor visitor) {
    forEach(chunk, 0, from, to, visitor);
  }

  /** Like {@link #forEach(long[], long, long, SampleVisitor)} for the chunk at {@code at}. */
  static void forEach(long[] chunks, int at, long from, long to, SampleVisitor visitor) {
    int n = count(chunks, at);
    if (n == 0 || lastTime(chunks, at) < from || chunks[at] >= to) {
      return;
    }
    long[] times = new long[n];
    double[] values = new double[n];
    int size = decode(chunks, at, from, to, times, values, 0);
    for (int i = 0; i < size; i++) {
      visitor.sample(times[i], values[i]);
    }
  }

  /**
   * Decodes the samples with {@code from <= time < to} into the arrays from index {@code size}
   * on, which must have room for {@link #count} more; returns the new size. Decoding into arrays
   * rather than through a callback keeps the loop tight: scans decode millions of samples.
   */
  static int decode(long[] chunk, long from, long to, long[] times, double[] values, int size) {
    return decode(chunk, 0, from, to, times, values, size);
  }

  /**
   * Like {@link #decode(long[], long, long, long[], double[], int)} for the chunk at {@code at}.
   * The reader may look at words past the chunk's end (the next chunk's) but never uses them.
   */
  static int decode(long[] chunks, int at, long from, long to, long[] times, double[] values, int size) {
    return decodeInto(chunks, at, from, to, times, values, size, null);
  }

  /**
   * Folds the samples with {@code from <= time < to} of the chunk at {@code at} into the buckets
   * of {@code fold}, whose grid holds that range; returns how many there were.
   */
  static int fold(long[] chunks, int at, long from, long to, BucketFold fold) {
    return decodeInto(chunks, at, from, to, null, null, 0, fold);
  }

  private static int decodeInto(long[] chunks, int at, long from, long to, long[] times, double[] values, int size,
      BucketFold fold) {
    long header = chunks[at + 1];
    int count = (int) (header >>> COUNT_SHIFT) & MAX_COUNT;
    if (count == 0 || chunks[at] + (header & SPAN_MASK) < from || chunks[at] >= to) {
      return size;
    }
    int coding = coding(header);
    if (coding == PACKED) {
      return ChunkDecoder.decodePacked(chunks, at, count, from, to, times, values, size, POW10[exponent(chunks, at)],
          fold);
    }
    int regular = (int) (header >>> REGULAR_SHIFT) & MAX_COUNT;
    boolean decimal = coding != XOR;
    return ChunkDecoder.decode(chunks, at, count, regular, from, to, times, values, size, decimal,
        decimal ? POW10[coding] : 1, fold);
  }

  /**
   * The decimal chunk of {@code words} words at {@code at} recoded for sealing, in an array of
   * its own with no length in its header: packed, or, for a chunk written packed whose changes
   * the variable coding holds in fewer words, in the variable coding. Null when it is best as it
   * is: it cannot be packed (an escaped value, a timestamp off the interval), packing would take
   * more words, or it is packed already with no narrower width and no smaller variable form.
   * Packed, every change of the mantissa after the first sample takes the same number of bits,
   * the most any of them needs: a reader finds the i-th at {@code i * width} without reading the
   * ones before, where the variable coding's prefix decides the position of the next change (a
   * serial chain of dependent reads that random changes also make unpredictable). The stream is
   * the exponent (4 bits) and width (6 bits, 0 when the value never changes), the first mantissa
   * and the interval as the variable coding writes them, then the changes, two's complement.
   * Made when a chunk is sealed ({@link Head#cutOnto}); a head whose width is known from the
   * chunk before it is written so from its start, and one large change among small ones would
   * otherwise keep that width, and the next chunk's, long after the changes became small.
   */
  static long[] pack(long[] chunks, int at, int words) {
    long header = chunks[at + 1];
    int count = (int) (header >>> COUNT_SHIFT) & MAX_COUNT;
    if (coding(header) == XOR || count == 0 || ((int) (header >>> REGULAR_SHIFT) & MAX_COUNT) < count) {
      return null;
    }
    if (coding(header) == PACKED) {
      return repack(chunks, at, words, count);
    }
    long[] times = new long[count];
    double[] values = new double[count];
    decode(chunks, at, Long.MIN_VALUE, Long.MAX_VALUE, times, values, 0);
    int exponent = exponent(chunks, at);
    long[] mantissas = new long[count];
    int width = 0;
    long changeBits = 0; // of the variable coding
    for (int i = 0; i < count; i++) {
      if (Double.isNaN(values[i]) || Double.isInfinite(values[i])) {
        return null;
      }
      mantissas[i] = (long) Math.rint(values[i] * POW10[exponent]); // as the writer made it
      if (i > 0) {
        long change = mantissas[i] - mantissas[i - 1];
        width = Math.max(width, ChunkBits.changeWidth(change));
        changeBits += ChunkBits.changeBits(change);
      }
    }
    long interval = count > 1 ? times[1] - times[0] : 0;
    long start = HEADER_WORDS * 64L + ChunkBits.changeBits(mantissas[0])
        + (count > 1 ? ChunkBits.timestampDeltaBits(interval) : 0);
    int packedWords = (int) ((start + PACKED_FIELD_BITS + (long) (count - 1) * width + 63) >>> 6);
    return packedWords <= words // as large: still read faster
        ? packTo(chunks[at], header, exponent, width, mantissas, interval, packedWords) : null;
  }

  /**
   * {@link #pack} of a chunk in the packed coding already (a head written packed): its changes
   * are read where they lie, without decoding its samples or allocating unless it is recoded,
   * into a narrower width or, when that takes fewer words, the variable coding. A restart's
   * replay seals a million such heads in a burst when the log crosses the time all series cut at;
   * decoding each into arrays first made the cuts most of the replay.
   */
  private static long[] repack(long[] chunks, int at, int words, int count) {
    long header = chunks[at + 1];
    int width = packedWidth(chunks, at);
    // The first mantissa and the interval, coded as the variable coding codes them, then the changes.
    int fieldsAt = (at + HEADER_WORDS) * 64 + PACKED_FIELD_BITS;
    int firstBits = ChunkDecoder.changeBitsAt(chunks, fieldsAt);
    int fieldBits = firstBits + (count > 1 ? ChunkDecoder.timestampBitsAt(chunks, fieldsAt + firstBits) : 0);
    int changesAt = fieldsAt + fieldBits;
    int narrowest = 0;
    long changeBits = 0; // of the variable coding
    for (int i = 1; i < count && width > 0; i++) {
      long change = ChunkDecoder.window(chunks, chunks.length, changesAt + (i - 1) * width) >> (64 - width);
      narrowest = Math.max(narrowest, ChunkBits.changeWidth(change));
      changeBits += ChunkBits.changeBits(change);
    }
    if (width == 0) {
      changeBits = count - 1; // a bit per unchanged value
    }
    long start = HEADER_WORDS * 64L + fieldBits;
    int packedWords = (int) ((start + PACKED_FIELD_BITS + (long) (count - 1) * narrowest + 63) >>> 6);
    int variableWords = (int) ((start + changeBits + 63) >>> 6);
    boolean variable = variableWords < Math.min(packedWords, words);
    if (!variable && !(packedWords < words || packedWords == words && narrowest < width)) {
      return null;
    }
    long[] chunk = new long[variable ? variableWords : packedWords];
    chunk[0] = chunks[at];
    chunk[1] = header & ~(-1L << CODING_SHIFT) | (long) (variable ? exponent(chunks, at) : PACKED) << CODING_SHIFT;
    int position = HEADER_WORDS * 64;
    if (!variable) {
      ChunkBits.put(chunk, position, (long) exponent(chunks, at) << 6 | narrowest, PACKED_FIELD_BITS);
      position += PACKED_FIELD_BITS;
    }
    for (int done = 0; done < fieldBits; done += 64) { // the fields, bit for bit
      int n = Math.min(64, fieldBits - done);
      ChunkBits.put(chunk, position + done, ChunkDecoder.window(chunks, chunks.length, fieldsAt + done) >>> (64 - n), n);
    }
    position += fieldBits;
    for (int i = 1; i < count && width > 0; i++) {
      long change = ChunkDecoder.window(chunks, chunks.length, changesAt + (i - 1) * width) >> (64 - width);
      if (variable) {
        position += ChunkBits.putChange(chunk, position, change);
      } else if (narrowest > 0) {
        ChunkBits.put(chunk, position, change, narrowest);
        position += narrowest;
      }
    }
    return chunk;
  }

  private static long[] packTo(long first, long header, int exponent, int width, long[] mantissas, long interval,
      int words) {
    long[] chunk = new long[words];
    chunk[0] = first;
    chunk[1] = header & ~(-1L << CODING_SHIFT) | (long) PACKED << CODING_SHIFT;
    int position = HEADER_WORDS * 64;
    ChunkBits.put(chunk, position, (long) exponent << 6 | width, PACKED_FIELD_BITS);
    position += PACKED_FIELD_BITS;
    position += ChunkBits.putChange(chunk, position, mantissas[0]);
    if (mantissas.length > 1) {
      position += ChunkBits.putTimestampDelta(chunk, position, interval);
    }
    for (int i = 1; i < mantissas.length && width > 0; i++) {
      ChunkBits.put(chunk, position, mantissas[i] - mantissas[i - 1], width);
      position += width;
    }
    return chunk;
  }

  /**
   * The growing chunk of a series and the coding state to append to it. Abstract so that a
   * {@link Series} can extend it: a million series then cost one object each instead of two (the
   * object header, a reference and the per-chunk constants came to 56 bytes per series). The
   * coding and exponent are read from the header word rather than kept in fields, for the same
   * reason. The words are a slot in the {@link HeadPages} the subclass names, its capacity in the
   * top bits of header word 1 (where a sealed chunk keeps its length). Not thread-safe.
   *
   * <p>It extends {@link Labels} for the same reason: a series is its own labels, and the labels
   * of a {@link Writer}, which stands alone, are empty.
   */
  abstract static sealed class Head extends Labels permits Writer, Series {
    /** Where the chunk's words are in {@link #headPages()}, header included; {@link #NONE} before the first sample. */
    private int address = NONE;
    /**
     * The bits written (low {@link #BIT_LENGTH_BITS} bits), and above them the XOR coding's last
     * leading zeros plus one and trailing zeros (6 bits each), or in a decimal chunk {@link
     * #LAST_SPECIAL}: one int instead of an int and two bytes. Four spare bits hold {@link
     * #logSlot}.
     */
    private int state = packState(0, -1, 0);
    /**
     * The last timestamp delta (the low {@link #DELTA_BITS} bits; a later sample that does not fit
     * starts a new chunk) and above it a number the subclass keeps there ({@link #tag}): a series
     * keeps its id, and one long for both makes it 64 bytes instead of 72.
     */
    private long deltaAndTag;
    /**
     * The last value's bits in an XOR chunk; in a decimal chunk the last finite value's mantissa,
     * from which the last value follows (it is exactly the mantissa over the scale, as {@link
     * #fitsDecimal} checked), unless it was an escaped special, whose bits end the stream. One
     * field for both makes a series 64 bytes instead of 72.
     */
    private long last;

    private static final int NONE = -1;
    /** Bits of {@link #deltaAndTag} that hold the last timestamp delta: 4.6 hours in milliseconds. */
    private static final int DELTA_BITS = 24;
    static final long MAX_DELTA = (1L << DELTA_BITS) - 1;
    /** The largest {@link #tag}. */
    static final long MAX_TAG = (1L << (64 - DELTA_BITS)) - 1;
    /** Where a head keeps its slot's capacity in words in header word 1. */
    private static final int CAPACITY_SHIFT = LENGTH_SHIFT;
    private static final long CAPACITY_MASK = -1L << CAPACITY_SHIFT;
    /** The most bits one value takes: 77 in an XOR chunk (69 for a decimal's escape). */
    private static final int MAX_VALUE_BITS = 77;

    /**
     * A head whose {@link #tag} is {@code tag}, from 0 to {@link #MAX_TAG}, of labels with {@code
     * keySet} and {@code values} ({@link Labels#Labels}).
     */
    Head(long tag, Object keySet, Object[] values) {
      super(keySet, values, 0, 1);
      if (tag < 0 || tag > MAX_TAG) {
        throw new IllegalArgumentException("tag " + tag + " out of range");
      }
      deltaAndTag = tag << DELTA_BITS;
    }

    /** The pages this head's words are carved from; always the same ones. */
    abstract HeadPages headPages();

    /** The number the subclass gave the constructor. */
    final long tag() {
      return deltaAndTag >>> DELTA_BITS;
    }

    private long lastDelta() {
      return deltaAndTag & MAX_DELTA;
    }

    private void lastDelta(long delta) {
      deltaAndTag = (deltaAndTag & ~MAX_DELTA) | delta;
    }

    /**
     * Whether {@link #resume} can continue {@code image}: its last delta fits, as it does in any
     * image a head saved since deltas are bounded. Otherwise the image is a sealed chunk.
     */
    static boolean canResume(HeadImage image) {
      return image.lastDelta() >= 0 && image.lastDelta() <= MAX_DELTA;
    }

    private static int packState(int bitLength, int leading, int trailing) {
      return bitLength | (leading + 1) << BIT_LENGTH_BITS | trailing << (BIT_LENGTH_BITS + 6);
    }

    /** Sets the coding state, keeping the bits {@link #logSlot} owns. */
    private void codingState(int coding) {
      state = coding | (state & LOG_SLOT_MASK);
    }

    /** The four bits of {@link #state} above the XOR coding's trailing zeros: {@link #logSlot}. */
    private static final int LOG_SLOT_SHIFT = BIT_LENGTH_BITS + 12;
    static final int MAX_LOG_SLOT = 15;
    private static final int LOG_SLOT_MASK = MAX_LOG_SLOT << LOG_SLOT_SHIFT;

    /**
     * A number from 0 to {@link #MAX_LOG_SLOT} that the append log keeps with the series (see
     * {@link AppendLog}); kept in spare bits of the coding state, which a chunk cut leaves alone.
     */
    final int logSlot() {
      return (state & LOG_SLOT_MASK) >>> LOG_SLOT_SHIFT;
    }

    final void logSlot(int slot) {
      state = (state & ~LOG_SLOT_MASK) | slot << LOG_SLOT_SHIFT;
    }

    private int bitLength() {
      return state & MAX_BIT_LENGTH;
    }

    private int lastLeading() {
      return ((state >>> BIT_LENGTH_BITS) & 63) - 1;
    }

    private int lastTrailing() {
      return (state >>> (BIT_LENGTH_BITS + 6)) & 63;
    }

    private static int capacity(long header) {
      return (int) (header >>> CAPACITY_SHIFT);
    }

    /** In a decimal chunk's state: the last value was an escaped NaN, infinity or stale marker. */
    private static final int LAST_SPECIAL = 1 << 31;

    /** The bits of the last value appended; 0 before the first. */
    private long lastValueBits(long[] page, int at) {
      if (coding(page[at + 1]) == XOR) {
        return last;
      }
      if ((state & LAST_SPECIAL) != 0) { // its 64 bits end the stream
        int from = bitLength() - 64;
        int offset = from & 63;
        long high = page[at + (from >>> 6)] << offset;
        return offset == 0 ? high : high | page[at + (from >>> 6) + 1] >>> (64 - offset);
      }
      int exponent = exponent(page, at);
      return Double.doubleToRawLongBits(exponent == 0 ? (double) last : last / POW10[exponent]);
    }

    /**
     * Starts a new chunk whose coding suits {@code firstValue} (append it next), with room for
     * {@code capacity} words at first. A series passes the size of its last chunk: the next one
     * is usually alike, and growing the slot costs a copy.
     */
    final void start(double firstValue, int capacity) {
      start(firstValue, capacity, -1);
    }

    /** Like {@link #start(double, int)}, packed with changes of {@code width} bits when that is not -1 and the value is decimal. */
    final void start(double firstValue, int capacity, int width) {
      releaseHead();
      int words = Math.min(HeadPages.MAX_SLOT_WORDS, Math.max(capacity, HEADER_WORDS + 1));
      HeadPages pages = headPages();
      address = pages.allocate(words);
      begin(pages.page(address), HeadPages.offset(address), words, firstValue, width);
    }

    /**
     * Makes the zeroed slot at {@code at} of {@code words} words an empty chunk whose coding suits
     * {@code firstValue}: packed ({@link #pack}) with changes of {@code width} bits, unless that
     * is -1 or the value is not decimal.
     */
    private void begin(long[] page, int at, int words, double firstValue, int width) {
      int e = decimalExponent(firstValue, 0);
      boolean packed = e >= 0 && width >= 0;
      codingState(packState(HEADER_WORDS * 64 + (packed ? PACKED_FIELD_BITS : 0), -1, 0));
      lastDelta(0);
      last = 0;
      page[at + 1] = (long) (e < 0 ? XOR : packed ? PACKED : e) << CODING_SHIFT | (long) words << CAPACITY_SHIFT;
      if (packed) {
        page[at + HEADER_WORDS] = (long) e << 60 | (long) width << 54;
      }
    }

    /**
     * Appends the chunk, trimmed to its exact size, to {@code sealed} chunks ({@link
     * SealedChunks#append}) and starts a new one for {@code nextValue} as {@link #start} does, in
     * the same slot when its size suits the next chunk: a series' chunks are alike, and a slot
     * kept needs no allocation and leaves no free slot behind.
     */
    final long[] cutOnto(long[] sealed, double nextValue) {
      HeadPages pages = headPages();
      long[] page = pages.page(address);
      int at = HeadPages.offset(address);
      int used = headUsedWords();
      long[] recoded = pack(page, at, used);
      long[] joined = recoded != null ? SealedChunks.append(sealed, recoded) : SealedChunks.append(sealed, page, at, used);
      // The next chunk is packed as this one is, or was sealed: a series' chunks are alike.
      long[] kept = recoded != null ? recoded : page;
      int keptAt = recoded != null ? 0 : at;
      int width = coding(kept[keptAt + 1]) == PACKED ? packedWidth(kept, keptAt) : -1;
      int capacity = capacity(page[at + 1]);
      int wanted = (recoded != null ? recoded.length : used) + 1; // room for a chunk a little larger
      if (capacity > wanted + (wanted >> 3)) { // the chunk ended much smaller than its slot
        start(nextValue, wanted, width); // in a slot of its own: this one is freed
      } else {
        Arrays.fill(page, at, at + capacity, 0);
        begin(page, at, capacity, nextValue, width);
      }
      return joined;
    }

    /**
     * Continues a head chunk a snapshot saved with {@link #headImage}: the words and the coding
     * state are taken as they were, so appending goes on exactly as before the save.
     */
    final void resume(HeadImage image) {
      if (!canResume(image)) {
        throw new IllegalArgumentException("head chunk's last delta " + image.lastDelta() + " out of range");
      }
      releaseHead();
      long[] words = image.words();
      HeadPages pages = headPages();
      address = pages.allocate(words.length);
      long[] page = pages.page(address);
      int at = HeadPages.offset(address);
      System.arraycopy(words, 0, page, at, words.length);
      page[at + 1] = page[at + 1] & ~CAPACITY_MASK | (long) words.length << CAPACITY_SHIFT;
      lastDelta(image.lastDelta());
      if (coding(page[at + 1]) != XOR) {
        codingState(packState(image.bitLength(), -1, 0));
        this.last = image.lastMantissa();
        if (lastValueBits(page, at) != image.lastValueBits()) {
          state |= LAST_SPECIAL; // the last value is not the mantissa's: it was escaped
        }
      } else {
        codingState(packState(image.bitLength(), image.lastLeading(), image.lastTrailing()));
        this.last = image.lastValueBits();
      }
    }

    /** A copy of the used words and of the coding state, for a snapshot; null before any sample. */
    final HeadImage headImage() {
      if (address == NONE) {
        return null;
      }
      long[] page = headPage();
      int at = headOffset();
      boolean decimal = coding(page[at + 1]) != XOR;
      return new HeadImage(usedWords(page, at), bitLength(), lastDelta(), decimal ? last : 0,
          lastValueBits(page, at), decimal ? -1 : lastLeading(), decimal ? 0 : lastTrailing());
    }

    /** The words written, header included, as a chunk of their own (no capacity in the header). */
    private long[] usedWords(long[] page, int at) {
      return copyOut(page, at, headUsedWords());
    }

    /** The {@code words} at {@code at} of {@code page} in an array of their own, with no capacity in the header. */
    private static long[] copyOut(long[] page, int at, int words) {
      long[] copy = Arrays.copyOfRange(page, at, at + words);
      copy[1] &= ~CAPACITY_MASK;
      return copy;
    }

    /** Whether the head holds a chunk: false before the first sample and after {@link #releaseHead}. */
    final boolean hasHead() {
      return address != NONE;
    }

    /** The page holding the chunk, which starts at {@link #headOffset()}; call only when {@link #hasHead}. */
    final long[] headPage() {
      return headPages().page(address);
    }

    final int headOffset() {
      return HeadPages.offset(address);
    }

    /** Where the chunk is in {@link #headPages()}; call only when {@link #hasHead}. */
    final int headAddress() {
      return address;
    }

    /** The words the chunk takes when sealed, header included. */
    final int headUsedWords() {
      return (bitLength() + 63) >>> 6;
    }

    /** The chunk's slot as far as it goes, with its room to grow, in an array of its own (for tests). */
    final long[] headSlotCopy() {
      long[] page = headPage();
      int at = headOffset();
      return copyOut(page, at, capacity(page[at + 1]));
    }

    /**
     * How many words the chunk will need when it is sealed, or 0 when that cannot be told: when
     * the slot is full it grows to that size rather than by half, so that a chunk is not left
     * with up to a third of its slot unused (a million series' first chunks hold that slack).
     */
    int predictedWords() {
      return 0;
    }

    /**
     * The words a chunk of {@code samples} samples will need if the later samples cost as many
     * bits as those so far; 0 with too few samples to tell. The second sample's timestamp is left
     * out of the rate: it codes the whole interval as a change from 0 (20 bits for a 15 s
     * interval, where later ones take 1), and counting it in the rate predicted a word more than
     * two thirds of a million first chunks needed.
     */
    final int wordsFor(int samples) {
      int count = headCount();
      if (count < 8) {
        return 0;
      }
      long firstInterval = ChunkBits.timestampDeltaBits(lastDelta()); // what the second sample's timestamp most likely took
      long streamBits = Math.max(0, bitLength() - HEADER_WORDS * 64L - firstInterval);
      long bits = HEADER_WORDS * 64L + firstInterval + streamBits * samples / count;
      return (int) Math.min(Integer.MAX_VALUE, (bits + 63) >>> 6);
    }

    final long headLastTime() {
      return lastTime(headPage(), headOffset());
    }

    /**
     * The time of the sample before the last in this chunk, or {@code Long.MIN_VALUE} when the
     * chunk holds fewer than two: a reader that asks for only the newest sample knows it has it.
     * Takes the head's {@link #headPage} and {@link #headOffset}, which the caller has found.
     */
    final long headPreviousTime(long[] page, int at) {
      return count(page, at) < 2 ? Long.MIN_VALUE : lastTime(page, at) - lastDelta();
    }

    final int headCount() {
      return count(headPage(), headOffset());
    }

    final long headFirstTime() {
      return headPage()[headOffset()];
    }

    final double headLastValue() {
      return headLastValue(headPage(), headOffset());
    }

    final double headLastValue(long[] page, int at) {
      return Double.longBitsToDouble(lastValueBits(page, at));
    }

    /**
     * Appends a sample later than the last, or returns false when the value does not fit this
     * chunk's coding, or its time is more than {@link #MAX_DELTA} after the last, or the chunk
     * holds {@link #MAX_COUNT} samples, and a new chunk must take it.
     */
    final boolean encode(long time, double value) {
      HeadPages pages = headPages();
      long[] page = pages.page(address);
      int at = HeadPages.offset(address);
      long valueBits = Double.doubleToRawLongBits(value);
      long header = page[at + 1];
      int count = (int) (header >>> COUNT_SHIFT) & MAX_COUNT;
      boolean decimal = coding(header) != XOR;
      long delta = 0;
      long dod = 0;
      boolean timed = false; // the sample's timestamp is coded
      if (count > 0) {
        delta = time - (page[at] + (header & SPAN_MASK));
        if (delta < 0 || delta > MAX_DELTA || count == MAX_COUNT // < 0: overflowed
            || decimal && !fitsDecimal(value, valueBits, page, at)) {
          return false;
        }
        dod = delta - lastDelta();
        if (coding(header) == PACKED && !fitsPacked(value, page, at, count, dod)) {
          unpack();
          return encode(time, value);
        }
        int regular = (int) (header >>> REGULAR_SHIFT) & MAX_COUNT;
        timed = count == 1 || regular < count || dod != 0; // the second sample codes the interval
      }
      int capacityBits = capacity(header) << 6;
      int timeBits = timed ? ChunkBits.timestampDeltaBits(dod) : 0;
      if (capacityBits - bitLength() < timeBits + MAX_VALUE_BITS) { // might not fit: count its bits
        int needed = bitLength() + timeBits
            + (decimal ? decimalBits(value, page, at, count) : count == 0 ? 64 : xorBits(valueBits));
        if (needed > capacityBits) {
          grow(pages, page, at, (needed + 63) >>> 6);
          page = pages.page(address);
          at = HeadPages.offset(address);
          header = page[at + 1];
        }
      }
      long regularStep = 1L << REGULAR_SHIFT; // the run of regular samples goes on
      if (count == 0) {
        page[at] = time;
        if (decimal) {
          writeDecimal(page, at, value, 0); // as a change from 0: small values take a few bits instead of 64
        } else {
          write(page, at, valueBits, 64);
        }
      } else {
        if (timed) {
          writeTimestampDelta(page, at, dod);
          if (count > 1) {
            regularStep = 0;
          }
        }
        lastDelta(delta);
        if (decimal) {
          writeDecimal(page, at, value, count);
        } else {
          writeXor(page, at, valueBits);
        }
      }
      page[at + 1] = (header & ~SPAN_MASK) + (1L << COUNT_SHIFT) + regularStep | (time - page[at]);
      if (!decimal) {
        last = valueBits;
      }
      return true;
    }

    /**
     * Moves the chunk to a slot of at least {@code needed} words: the size it will end at when
     * that can be predicted, else half as large again.
     */
    private void grow(HeadPages pages, long[] page, int at, int needed) {
      if (needed > HeadPages.MAX_SLOT_WORDS) {
        throw new IllegalStateException("chunk full at " + bitLength() + " bits");
      }
      int capacity = capacity(page[at + 1]);
      int predicted = predictedWords();
      int grown = predicted == 0 ? capacity + (capacity >> 1) // nothing to predict from
          : predicted > capacity ? predicted // the size it will end at
          : capacity + Math.max(1, capacity >> 3); // past the prediction: a little more
      int words = Math.min(HeadPages.MAX_SLOT_WORDS, Math.max(needed, grown));
      int moved = pages.allocate(words);
      long[] to = pages.page(moved);
      int toAt = HeadPages.offset(moved);
      System.arraycopy(page, at, to, toAt, headUsedWords());
      to[toAt + 1] = to[toAt + 1] & ~CAPACITY_MASK | (long) words << CAPACITY_SHIFT;
      pages.free(address, capacity);
      address = moved;
    }

    /** Finite values need this chunk's exponent; specials are always escaped. */
    private boolean fitsDecimal(double value, long valueBits, long[] page, int at) {
      if (Double.isNaN(value) || Double.isInfinite(value) || valueBits == lastValueBits(page, at)) {
        return true;
      }
      int exponent = exponent(page, at);
      if (exponent == 0) {
        return value == Math.rint(value) && Math.abs(value) < TWO_POW_53 && valueBits != Long.MIN_VALUE;
      }
      return decimalExponent(value, exponent) == exponent;
    }

    /** The chunk trimmed to its exact size; {@link #start} must be called before appending again. */
    final long[] sealHead() {
      long[] sealed = usedWords(headPage(), headOffset());
      releaseHead();
      return sealed;
    }

    /** Frees the chunk's slot, if it has one: the head is empty afterwards, as before the first sample. */
    final void releaseHead() {
      if (address != NONE) {
        HeadPages pages = headPages();
        long[] page = pages.page(address);
        pages.free(address, capacity(page[HeadPages.offset(address) + 1]));
        address = NONE;
      }
    }

    /**
     * The bits {@link #writeDecimal} takes for {@code value}, which fits the chunk's coding: in a
     * packed chunk after its first sample, its width.
     */
    private int decimalBits(double value, long[] page, int at, int count) {
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        return 69;
      }
      if (count > 0 && coding(page[at + 1]) == PACKED) {
        return packedWidth(page, at);
      }
      return ChunkBits.changeBits((long) Math.rint(value * POW10[exponent(page, at)]) - last);
    }

    /**
     * Writes a decimal value: as a change of the variable coding, or of the packed coding's
     * width after a packed chunk's first sample ({@link #fitsPacked} checked it fits).
     */
    private void writeDecimal(long[] page, int at, double value, int count) {
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        write(page, at, 0b11111, 5);
        write(page, at, Double.doubleToRawLongBits(value), 64);
        state |= LAST_SPECIAL;
        return;
      }
      long mantissa = (long) Math.rint(value * POW10[exponent(page, at)]);
      long d = mantissa - last;
      last = mantissa;
      state &= ~LAST_SPECIAL;
      if (count > 0 && coding(page[at + 1]) == PACKED) {
        int width = packedWidth(page, at);
        if (width > 0) {
          write(page, at, d, width);
        }
      } else {
        advance(ChunkBits.putChange(page, at * 64 + checkRoom(page, at, ChunkBits.changeBits(d)), d));
      }
    }

    /**
     * Whether a value that fits the exponent of this packed chunk, which holds {@code count >= 1}
     * samples, fits its width too, with a timestamp delta-of-delta {@code dod}: no escaped value,
     * and no sample off the interval.
     */
    private boolean fitsPacked(double value, long[] page, int at, int count, long dod) {
      if (Double.isNaN(value) || Double.isInfinite(value) || count > 1 && dod != 0) {
        return false;
      }
      long d = (long) Math.rint(value * POW10[exponent(page, at)]) - last;
      return ChunkBits.changeWidth(d) <= packedWidth(page, at);
    }

    /**
     * Codes this packed chunk's samples again in the variable coding, in the same slot, when a
     * sample does not fit the packed one: the chunk goes on rather than being cut short, which
     * would cost a chunk header.
     */
    private void unpack() {
      long[] page = headPage();
      int at = headOffset();
      int count = count(page, at);
      long[] times = new long[count];
      double[] values = new double[count];
      decode(page, at, Long.MIN_VALUE, Long.MAX_VALUE, times, values, 0);
      int capacity = capacity(page[at + 1]);
      Arrays.fill(page, at, at + capacity, 0);
      begin(page, at, capacity, values[0], -1);
      for (int i = 0; i < count; i++) {
        if (!encode(times[i], values[i])) {
          throw new IllegalStateException("a packed chunk's sample does not fit its exponent");
        }
      }
    }

    /** The bit length, after checking that {@code n} more bits fit the slot. */
    private int checkRoom(long[] page, int at, int n) {
      int bitLength = bitLength();
      if (bitLength + n > capacity(page[at + 1]) << 6) {
        throw new IllegalStateException("chunk slot overrun at " + bitLength + " bits"); // a miscounted sample
      }
      return bitLength;
    }

    private void advance(int n) {
      state += n; // within the slot, at most MAX_BIT_LENGTH: the coding state above it is unchanged
    }

    private void writeTimestampDelta(long[] page, int at, long dod) {
      int position = at * 64 + checkRoom(page, at, ChunkBits.timestampDeltaBits(dod));
      advance(ChunkBits.putTimestampDelta(page, position, dod));
    }

    /** The bits {@link #writeXor} takes for {@code bits}. */
    private int xorBits(long bits) {
      long xor = bits ^ last;
      if (xor == 0) {
        return 1;
      }
      int leading = Math.min(Long.numberOfLeadingZeros(xor), 31);
      int trailing = Long.numberOfTrailingZeros(xor);
      int lastLeading = lastLeading();
      int lastTrailing = lastTrailing();
      if (lastLeading >= 0 && leading >= lastLeading && trailing >= lastTrailing) {
        return 2 + 64 - lastLeading - lastTrailing;
      }
      return 2 + 5 + 6 + 64 - leading - trailing;
    }

    private void writeXor(long[] page, int at, long bits) {
      long xor = bits ^ last;
      if (xor == 0) {
        write(page, at, 0, 1);
        return;
      }
      int leading = Math.min(Long.numberOfLeadingZeros(xor), 31);
      int trailing = Long.numberOfTrailingZeros(xor);
      int lastLeading = lastLeading();
      int lastTrailing = lastTrailing();
      if (lastLeading >= 0 && leading >= lastLeading && trailing >= lastTrailing) {
        write(page, at, 0b10, 2);
        write(page, at, xor >>> lastTrailing, 64 - lastLeading - lastTrailing);
      } else {
        int significant = 64 - leading - trailing;
        write(page, at, 0b11, 2);
        write(page, at, leading, 5);
        write(page, at, significant & 63, 6); // 64 significant bits are written as 0
        write(page, at, xor >>> trailing, significant);
        codingState(packState(bitLength(), leading, trailing));
      }
    }

    /** Writes {@code n} bits into the slot at {@code at}, which {@link #encode} made large enough. */
    private void write(long[] page, int at, long value, int n) {
      if (n == 0) {
        return;
      }
      ChunkBits.put(page, at * 64 + checkRoom(page, at, n), value, n);
      state += n; // within the slot, at most MAX_BIT_LENGTH: the coding state above it is unchanged
    }
  }

  /** A head chunk on its own, outside a series, in pages of its own. */
  static final class Writer extends Head {
    private static final String[] NO_KEYS = {};
    private static final Object[] NO_VALUES = {};
    private final HeadPages pages = new HeadPages();

    /** A chunk whose coding suits {@code firstValue}; append it next. */
    Writer(double firstValue) {
      this(firstValue, -1);
    }

    /** Like {@link #Writer(double)}, packed with changes of {@code width} bits unless that is -1 (see {@link Head#cutOnto}). */
    Writer(double firstValue, int width) {
      super(0, NO_KEYS, NO_VALUES);
      start(firstValue, HEADER_WORDS + 2, width);
    }

    /** A writer that continues a head chunk a snapshot saved with {@link #image}. */
    Writer(HeadImage image) {
      super(0, NO_KEYS, NO_VALUES);
      resume(image);
    }

    @Override
    HeadPages headPages() {
      return pages;
    }

    HeadImage image() {
      return headImage();
    }

    /** A copy of the chunk's slot, with its room to grow: a head chunk as readers see it. */
    long[] words() {
      return headSlotCopy();
    }

    int count() {
      return headCount();
    }

    boolean append(long time, double value) {
      return encode(time, value);
    }

    /** The chunk trimmed to its exact size; the writer must not be used afterwards. */
    long[] seal() {
      return sealHead();
    }
  }

  /**
   * A head chunk as a snapshot keeps it: its words trimmed to the bits written, and what the
   * writer needs to append the next sample (the last timestamp delta and value).
   */
  record HeadImage(long[] words, int bitLength, long lastDelta, long lastMantissa, long lastValueBits,
      int lastLeading, int lastTrailing) {
    /** Rejects an image no writer could have produced (a defect in the file, not just a bad byte). */
    HeadImage {
      if (words.length < HEADER_WORDS || bitLength < HEADER_WORDS * 64 || bitLength > MAX_BIT_LENGTH
          || words.length != (bitLength + 63) >>> 6) {
        throw new IllegalArgumentException("head chunk of " + words.length + " words holds " + bitLength + " bits");
      }
      if (!wellFormed(words) || lastLeading < -1 || lastLeading > 31 || lastTrailing < 0 || lastTrailing > 63) {
        throw new IllegalArgumentException("head chunk has an unknown coding");
      }
    }
  }

}
