package io.tocsin.query.eval;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Results of expressions shared by queries evaluated together, such as monitors that differ
 * only in their thresholds: the first to need an expression computes it, the others wait for it
 * and reuse it. Keys name everything a result depends on (metrics, filters, grouping, buckets).
 * Thread-safe; meant to live for one evaluation cycle, because the data moves on.
 */
public final class EvaluationCache {
  private final ConcurrentHashMap<String, CompletableFuture<Object>> results = new ConcurrentHashMap<>();

  /**
   * The result under {@code key}, computed by {@code compute} by the first caller of this cycle;
   * the result must not be changed by anyone, since every caller shares it.
   */
  @SuppressWarnings("unchecked")
  public <T> T get(String key, Supplier<T> compute) {
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> existing = results.putIfAbsent(key, mine);
    if (existing != null) {
      try {
        return (T) existing.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      T computed = compute.get();
      mine.complete(computed);
      return computed;
    } catch (RuntimeException | Error e) {
      // Others waiting see the same failure; the next cycle tries again.
      mine.completeExceptionally(e);
      throw e;
    }
  }

  /** What was computed or is being computed, by key. */
  Set<String> keys() {
    return Set.copyOf(results.keySet());
  }
}
