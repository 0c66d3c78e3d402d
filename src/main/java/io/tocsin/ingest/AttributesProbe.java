package io.tocsin.ingest;

import io.tocsin.store.Labels;
import io.tocsin.store.LabelsProbe;
import io.tocsin.util.Names;

/**
 * Describes "resource labels plus the attributes of this number point" straight from the request
 * bytes, so that a point of a known series finds it without decoding a string, normalising a
 * key, or building, sorting and hashing a label set. It matches exactly what {@link
 * MetricsTranslator#labelsOf} would build: keys normalised by {@link Names}, point attributes
 * replacing resource labels of the same key.
 *
 * <p>It covers the common case, ASCII string values under distinct keys; {@link #describe}
 * declines anything else and the caller builds the labels the general way. Mutable and reused
 * point after point by one thread.
 */
final class AttributesProbe extends LabelsProbe {
  private static final int MAX_ATTRIBUTES = 64;

  private final int[] keyHashes = new int[MAX_ATTRIBUTES];
  private DecodedRequest request;
  private int first;
  private int count;
  private Labels resource;
  /** Bit r set: resource label r is replaced by a point attribute. */
  private long replaced;
  private int size;
  private int hash;

  /** Describes {@code resource} with the attributes of number point {@code p}; false to decline. */
  boolean describe(Labels resource, DecodedRequest request, int p) {
    int n = request.attributeCount[p];
    if (n > MAX_ATTRIBUTES || resource.size() > 64) {
      return false;
    }
    byte[] body = request.body;
    int firstAttribute = request.firstAttribute[p];
    int h = resource.hashCode();
    int labels = resource.size();
    long replacedResource = 0;
    for (int i = 0; i < n; i++) {
      int a = firstAttribute + i;
      if (request.attributeType[a] != DecodedRequest.ATTRIBUTE_STRING) {
        return false;
      }
      int keyOffset = request.keyOffset[a];
      int keyLength = request.keyLength[a];
      int keyHash = normalizedHash(body, keyOffset, keyLength);
      if (keyHash == 0) {
        return false; // most likely an empty normalised key, which the general path drops
      }
      for (int j = 0; j < i; j++) {
        if (keyHashes[j] == keyHash) {
          return false; // two attributes with one key (or a rare hash tie): the general path decides
        }
      }
      for (int r = 0; r < resource.size(); r++) {
        if (resource.key(r).hashCode() == keyHash && compareNormalized(body, keyOffset, keyLength, resource.key(r)) == 0) {
          h -= Labels.pairHash(keyHash, resource.value(r).hashCode());
          labels--;
          replacedResource |= 1L << r;
        }
      }
      int valueHash = asciiHash(body, request.valueOffset[a], request.valueLength[a]);
      if (valueHash == NOT_ASCII) {
        return false;
      }
      h += Labels.pairHash(keyHash, valueHash);
      labels++;
      keyHashes[i] = keyHash;
    }
    this.request = request;
    this.first = firstAttribute;
    this.count = n;
    this.resource = resource;
    this.replaced = replacedResource;
    this.size = labels;
    this.hash = h;
    return true;
  }

  @Override
  protected int labelsHash() {
    return hash;
  }

  @Override
  protected boolean matches(Labels labels) {
    if (labels.size() != size) {
      return false;
    }
    byte[] body = request.body;
    for (int a = first; a < first + count; a++) {
      int index = indexOf(labels, body, request.keyOffset[a], request.keyLength[a]);
      if (index < 0 || !labels.valueEqualsAscii(index, body, request.valueOffset[a], request.valueLength[a])) {
        return false;
      }
    }
    // Both are sorted by key: walk them together; labels skipped on the way are attributes.
    int j = 0;
    for (int r = 0; r < resource.size(); r++) {
      if ((replaced & (1L << r)) != 0) {
        continue;
      }
      String key = resource.key(r);
      while (j < labels.size() && !labels.key(j).equals(key)) {
        j++;
      }
      if (j == labels.size() || !labels.valueEquals(j, resource, r)) {
        return false;
      }
      j++;
    }
    return true;
  }

  private static int indexOf(Labels labels, byte[] body, int offset, int length) {
    int lo = 0;
    int hi = labels.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int cmp = compareNormalized(body, offset, length, labels.key(mid));
      if (cmp == 0) {
        return mid;
      }
      if (cmp > 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  private static boolean isWordByte(int b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
  }

  /**
   * {@code Names.normalize(key).hashCode()} from the key's UTF-8 bytes. Normalising bytes and
   * characters agree: each byte of a multi-byte character is a non-word byte, as the character is.
   */
  static int normalizedHash(byte[] body, int offset, int length) {
    int h = 0;
    boolean pending = false;
    boolean any = false;
    for (int i = offset, end = offset + length; i < end; i++) {
      int b = body[i];
      if (isWordByte(b)) {
        if (pending && any) {
          h = 31 * h + '_';
        }
        pending = false;
        any = true;
        h = 31 * h + b;
      } else {
        pending = true;
      }
    }
    return h;
  }

  /** {@code Names.normalize(key).compareTo(s)} from the key's UTF-8 bytes. */
  static int compareNormalized(byte[] body, int offset, int length, String s) {
    int si = 0;
    boolean pending = false;
    boolean any = false;
    for (int i = offset, end = offset + length; i < end; i++) {
      int b = body[i];
      if (!isWordByte(b)) {
        pending = true;
        continue;
      }
      if (pending && any) {
        if (si == s.length()) {
          return 1;
        }
        int cmp = '_' - s.charAt(si++);
        if (cmp != 0) {
          return cmp;
        }
      }
      pending = false;
      any = true;
      if (si == s.length()) {
        return 1;
      }
      int cmp = b - s.charAt(si++);
      if (cmp != 0) {
        return cmp;
      }
    }
    return si == s.length() ? 0 : -1;
  }

  private static final int NOT_ASCII = 0x80000000;

  /**
   * {@link String#hashCode} of an ASCII string from its bytes, or {@link #NOT_ASCII} (which a
   * rare ASCII string also hashes to; the caller declines both).
   */
  private static int asciiHash(byte[] body, int offset, int length) {
    int h = 0;
    for (int i = offset, end = offset + length; i < end; i++) {
      byte b = body[i];
      if (b < 0) {
        return NOT_ASCII;
      }
      h = 31 * h + b;
    }
    return h;
  }
}
