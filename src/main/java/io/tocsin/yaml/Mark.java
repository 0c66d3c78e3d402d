package io.tocsin.yaml;

/** A position in a configuration file, printed as {@code file:line:column} (both from 1). */
public record Mark(String file, int line, int column) {
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
