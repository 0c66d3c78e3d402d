package io.tocsin.store.wal;

import io.tocsin.store.WriterStateCodec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** A writer state for store tests, which cannot use ingest's: a number, written as 8 bytes. */
record TestStates(long value) {
  static final WriterStateCodec CODEC = new WriterStateCodec() {
    @Override
    public void write(Object state, DataOutput out) throws IOException {
      out.writeLong(((TestStates) state).value());
    }

    @Override
    public Object read(DataInput in) throws IOException {
      return new TestStates(in.readLong());
    }
  };
}
