package io.tocsin.query.ast;

/** Where a construct starts in a query text: line and column, both from 1. */
public record Position(int line, int column) {
  public static final Position UNKNOWN = new Position(1, 1);

  @Override
  public String toString() {
    return line + ":" + column;
  }
}
