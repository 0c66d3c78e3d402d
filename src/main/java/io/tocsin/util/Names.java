package io.tocsin.util;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Uptrace-style normalisation of metric names and label keys: every character outside {@code
 * [A-Za-z0-9_]} becomes {@code _}, runs of {@code _} collapse into one, and leading or trailing
 * {@code _} are dropped. {@code redis.keyspace.hits} becomes {@code redis_keyspace_hits}.
 *
 * <p>The same few names arrive in every request, so results are cached; the cache is cleared when
 * it grows past a bound, which keeps a stream of unique names from growing memory.
 */
public final class Names {
  private static final int CACHE_LIMIT = 100_000;
  private static final ConcurrentHashMap<String, String> CACHE = new ConcurrentHashMap<>();

  private Names() {}

  /** The normalised form of {@code name}; empty when nothing of it survives. */
  public static String normalize(String name) {
    String cached = CACHE.get(name);
    if (cached != null) {
      return cached;
    }
    String normalized = compute(name);
    if (CACHE.size() >= CACHE_LIMIT) {
      CACHE.clear();
    }
    CACHE.put(name, normalized);
    return normalized;
  }

  static String compute(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    boolean pendingUnderscore = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (word) {
        if (pendingUnderscore && sb.length() > 0) {
          sb.append('_');
        }
        pendingUnderscore = false;
        sb.append(c);
      } else {
        pendingUnderscore = true;
      }
    }
    return sb.toString();
  }
}
