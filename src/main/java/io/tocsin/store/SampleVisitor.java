package io.tocsin.store;

/** Receives scalar samples in time order. */
@FunctionalInterface
public interface SampleVisitor {
  void sample(long timeMs, double value);
}
