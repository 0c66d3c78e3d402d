package io.tocsin.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a protobuf message with the liberties the wire format allows, which a canonical
 * serializer never takes: fields in any order, a singular message field split into parts that
 * protobuf merges (now and then with another case of its oneof between the parts, which
 * protobuf-java's builders still merge), a scalar or oneof field preceded by a value that the
 * later one replaces, unknown fields (groups too, and known numbers with another wire type),
 * packed and unpacked repeated numbers. Parsed with the generated parser, the result equals the
 * message apart from its unknown fields.
 *
 * <p>{@link Liberties#HOSTILE} also breaks rules: a string now and then is not UTF-8, an unknown
 * group now and then nests past protobuf's 100-level limit.
 */
public final class WireWriter {
  /** Chances per field; all valid but the last two. */
  public record Liberties(boolean reorder, double split, double decoy, double unknown, double badUtf8,
      double deepGroup) {
    public static final Liberties CANONICAL = new Liberties(false, 0, 0, 0, 0, 0);
    public static final Liberties VALID = new Liberties(true, 0.2, 0.15, 0.1, 0, 0);
    public static final Liberties HOSTILE = new Liberties(true, 0.2, 0.15, 0.1, 0.004, 0.004);
  }

  private static final int[] UNKNOWN_NUMBERS = {15, 16, 99, 1000, 536_870_911};
  private static final byte[][] BAD_UTF8 = {
      {(byte) 0xff}, {(byte) 0x80}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
      {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}};

  private final Random random;
  private final Liberties liberties;

  private WireWriter(Random random, Liberties liberties) {
    this.random = random;
    this.liberties = liberties;
  }

  public static byte[] write(Message message, Random random, Liberties liberties) {
    return new WireWriter(random, liberties).message(message);
  }

  private boolean chance(double p) {
    return p > 0 && random.nextDouble() < p;
  }

  private byte[] message(Message message) {
    return concat(pieces(message));
  }

  /** The encoded fields of {@code message}, in the order to write them. */
  private List<byte[]> pieces(Message message) {
    List<List<byte[]>> fields = new ArrayList<>();
    for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
      FieldDescriptor f = entry.getKey();
      List<byte[]> out = new ArrayList<>();
      if (f.isRepeated()) {
        List<?> values = (List<?>) entry.getValue();
        if (f.isPackable() && random.nextBoolean()) {
          out.add(packed(f, values));
        } else {
          for (Object value : values) {
            out.add(field(f, value));
          }
        }
      } else {
        if (chance(liberties.decoy())) {
          out.add(decoy(f));
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && chance(liberties.split())) {
          List<byte[]> parts = pieces((Message) entry.getValue());
          int cut = random.nextInt(parts.size() + 1);
          out.add(delimited(f.getNumber(), concat(parts.subList(0, cut))));
          OneofDescriptor oneof = f.getRealContainingOneof();
          if (oneof != null && oneof.getFieldCount() > 1 && random.nextBoolean()) {
            out.add(otherCase(f));
          }
          out.add(delimited(f.getNumber(), concat(parts.subList(cut, parts.size()))));
        } else {
          out.add(field(f, entry.getValue()));
        }
      }
      fields.add(out);
    }
    if (chance(liberties.unknown())) {
      fields.add(List.of(unknown(message.getDescriptorForType(), 0)));
    }
    if (chance(liberties.deepGroup())) {
      fields.add(List.of(unknownGroup(UNKNOWN_NUMBERS[0], 95 + random.nextInt(10))));
    }
    return interleave(fields);
  }

  /** All pieces, each field's in its order; the fields shuffled together when reordering. */
  private List<byte[]> interleave(List<List<byte[]>> fields) {
    List<byte[]> result = new ArrayList<>();
    if (!liberties.reorder()) {
      fields.forEach(result::addAll);
      return result;
    }
    int[] next = new int[fields.size()];
    int remaining = fields.stream().mapToInt(List::size).sum();
    for (; remaining > 0; remaining--) {
      int pick = random.nextInt(remaining);
      for (int i = 0; ; i++) {
        int left = fields.get(i).size() - next[i];
        if (pick < left) {
          result.add(fields.get(i).get(next[i]++));
          break;
        }
        pick -= left;
      }
    }
    return result;
  }

  /** A value the real one replaces: of the same field, or of another case of its oneof. */
  private byte[] decoy(FieldDescriptor f) {
    OneofDescriptor oneof = f.getRealContainingOneof();
    return oneof != null && oneof.getFieldCount() > 1 ? otherCase(f) : randomValue(f);
  }

  private byte[] otherCase(FieldDescriptor f) {
    List<FieldDescriptor> others = new ArrayList<>(f.getRealContainingOneof().getFields());
    others.remove(f);
    return randomValue(others.get(random.nextInt(others.size())));
  }

  /** A random value of {@code f}'s type; an empty message for a message field. */
  private byte[] randomValue(FieldDescriptor f) {
    int n = f.getNumber();
    return switch (f.getType()) {
      case MESSAGE, GROUP -> delimited(n, new byte[0]);
      case STRING -> field(f, Long.toString(random.nextLong(), 36));
      case BYTES -> field(f, ByteString.copyFrom(randomBytes(4)));
      case DOUBLE, FIXED64, SFIXED64 -> encode(out -> out.writeFixed64(n, random.nextLong()));
      case FLOAT, FIXED32, SFIXED32 -> encode(out -> out.writeFixed32(n, random.nextInt()));
      default -> encode(out -> out.writeUInt64(n, random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(9)));
    };
  }

  private byte[] field(FieldDescriptor f, Object value) {
    int n = f.getNumber();
    return switch (f.getType()) {
      case MESSAGE, GROUP -> delimited(n, message((Message) value));
      case STRING -> delimited(n, utf8((String) value));
      case BYTES -> encode(out -> out.writeBytes(n, (ByteString) value));
      default -> encode(out -> {
        out.writeTag(n, f.getLiteType().getWireType());
        scalar(out, f, value);
      });
    };
  }

  private byte[] utf8(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (!chance(liberties.badUtf8())) {
      return bytes;
    }
    byte[] bad = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
    int at = random.nextInt(bytes.length + 1);
    return concat(List.of(Arrays.copyOfRange(bytes, 0, at), bad,
        Arrays.copyOfRange(bytes, at, bytes.length)));
  }

  private byte[] packed(FieldDescriptor f, List<?> values) {
    return delimited(f.getNumber(), encode(out -> {
      for (Object value : values) {
        scalar(out, f, value);
      }
    }));
  }

  private static void scalar(CodedOutputStream out, FieldDescriptor f, Object value) throws IOException {
    switch (f.getType()) {
      case DOUBLE -> out.writeDoubleNoTag((Double) value);
      case FLOAT -> out.writeFloatNoTag((Float) value);
      case INT64 -> out.writeInt64NoTag((Long) value);
      case UINT64 -> out.writeUInt64NoTag((Long) value);
      case INT32 -> out.writeInt32NoTag((Integer) value);
      case FIXED64 -> out.writeFixed64NoTag((Long) value);
      case FIXED32 -> out.writeFixed32NoTag((Integer) value);
      case BOOL -> out.writeBoolNoTag((Boolean) value);
      case UINT32 -> out.writeUInt32NoTag((Integer) value);
      case ENUM -> out.writeEnumNoTag(((EnumValueDescriptor) value).getNumber());
      case SFIXED32 -> out.writeSFixed32NoTag((Integer) value);
      case SFIXED64 -> out.writeSFixed64NoTag((Long) value);
      case SINT32 -> out.writeSInt32NoTag((Integer) value);
      case SINT64 -> out.writeSInt64NoTag((Long) value);
      default -> throw new IllegalArgumentException(f.getType().toString());
    }
  }

  /** A field this message does not know: a new number, or a known one with another wire type. */
  private byte[] unknown(Descriptor type, int depth) {
    int number = UNKNOWN_NUMBERS[random.nextInt(UNKNOWN_NUMBERS.length)];
    int expected = -1;
    if (random.nextBoolean() && !type.getFields().isEmpty()) {
      FieldDescriptor known = type.getFields().get(random.nextInt(type.getFields().size()));
      if (!known.isRepeated()) {
        number = known.getNumber();
        expected = known.getLiteType().getWireType();
      }
    }
    int wireType;
    do {
      wireType = new int[] {0, 1, 2, 3, 5}[random.nextInt(depth < 2 ? 5 : 4)];
    } while (wireType == expected);
    int n = number;
    return switch (wireType) {
      case WireFormat.WIRETYPE_VARINT -> encode(out -> out.writeUInt64(n, random.nextLong()));
      case WireFormat.WIRETYPE_FIXED64 -> encode(out -> out.writeFixed64(n, random.nextLong()));
      case WireFormat.WIRETYPE_LENGTH_DELIMITED -> delimited(n, randomBytes(5));
      case WireFormat.WIRETYPE_FIXED32 -> encode(out -> out.writeFixed32(n, random.nextInt()));
      default -> encode(out -> {
        out.writeTag(n, WireFormat.WIRETYPE_START_GROUP);
        for (int i = random.nextInt(3); i > 0; i--) {
          out.writeRawBytes(unknown(type, depth + 1));
        }
        out.writeTag(n, WireFormat.WIRETYPE_END_GROUP);
      });
    };
  }

  private static byte[] unknownGroup(int number, int depth) {
    return encode(out -> {
      for (int i = 0; i < depth; i++) {
        out.writeTag(number, WireFormat.WIRETYPE_START_GROUP);
      }
      for (int i = 0; i < depth; i++) {
        out.writeTag(number, WireFormat.WIRETYPE_END_GROUP);
      }
    });
  }

  private byte[] randomBytes(int maxLength) {
    byte[] bytes = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] delimited(int number, byte[] content) {
    return encode(out -> out.writeByteArray(number, content));
  }

  /** Writes with a CodedOutputStream. */
  private interface Encoding {
    void to(CodedOutputStream out) throws IOException;
  }

  private static byte[] encode(Encoding encoding) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      encoding.to(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  /**
   * One to three random corruptions: a bit flipped, the body cut short, a byte inserted,
   * deleted or replaced, or what looks like a length prefix (the byte after a length-delimited
   * tag) changed.
   */
  public static byte[] mutate(byte[] body, Random random) {
    byte[] b = body;
    for (int i = 1 + random.nextInt(3); i > 0 && b.length > 0; i--) {
      int at = random.nextInt(b.length);
      b = switch (random.nextInt(6)) {
        case 0 -> {
          byte[] c = b.clone();
          c[at] ^= (byte) (1 << random.nextInt(8));
          yield c;
        }
        case 1 -> Arrays.copyOf(b, at);
        case 2 -> concat(List.of(Arrays.copyOf(b, at), new byte[] {(byte) random.nextInt()},
            Arrays.copyOfRange(b, at, b.length)));
        case 3 -> concat(List.of(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + 1, b.length)));
        case 4 -> {
          byte[] c = b.clone();
          c[at] = (byte) random.nextInt();
          yield c;
        }
        default -> corruptLength(b, random);
      };
    }
    return b;
  }

  private static byte[] corruptLength(byte[] b, Random random) {
    List<Integer> candidates = new ArrayList<>();
    for (int i = 0; i + 1 < b.length; i++) {
      if ((b[i] & 0x87) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        candidates.add(i + 1);
      }
    }
    if (candidates.isEmpty()) {
      return b;
    }
    int at = candidates.get(random.nextInt(candidates.size()));
    byte[] c = b.clone();
    c[at] = switch (random.nextInt(3)) {
      case 0 -> (byte) (c[at] + 1);
      case 1 -> (byte) (c[at] - 1);
      default -> (byte) 0xff; // a varint that goes on into the content
    };
    return c;
  }
}
