package io.tocsin.testing;

import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.WriterStateCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * Everything a store holds, as text that two stores can be compared by: every series with its
 * samples (values as raw bits, so stale markers count), histograms, and writer state (as the
 * codec's bytes).
 */
public final class StoreDump {
  private StoreDump() {}

  public static String of(SeriesStore store, WriterStateCodec codec) {
    TreeMap<String, String> lines = new TreeMap<>();
    List<Object[]> seriesList = new ArrayList<>();
    for (String metric : store.metricNames()) {
      MetricKind kind = store.kindOf(metric);
      if (kind == MetricKind.HISTOGRAM) {
        store.scanHistograms(metric, l -> true, Long.MIN_VALUE, Long.MAX_VALUE, (labels, times, samples, n) -> {
          StringBuilder text = new StringBuilder();
          for (int i = 0; i < n; i++) {
            text.append(' ').append(times[i]).append('=').append(describe(samples[i]));
          }
          lines.put(metric + labels, text.toString());
          seriesList.add(new Object[] {metric, kind, labels});
        });
      } else {
        store.scan(metric, l -> true, Long.MIN_VALUE, Long.MAX_VALUE, (labels, k, times, values, n) -> {
          StringBuilder text = new StringBuilder(k.label());
          for (int i = 0; i < n; i++) {
            text.append(' ').append(times[i]).append('=')
                .append(Long.toHexString(Double.doubleToRawLongBits(values[i])));
          }
          lines.put(metric + labels, text.toString());
          seriesList.add(new Object[] {metric, k, labels});
        });
      }
    }
    for (Object[] s : seriesList) {
      String key = s[0].toString() + s[2];
      store.write((String) s[0], (MetricKind) s[1], (Labels) s[2],
          series -> lines.put(key, lines.get(key) + " state=" + stateBytes(series.writerState(), codec)));
    }
    StringBuilder out = new StringBuilder();
    lines.forEach((k, v) -> out.append(k).append(':').append(v).append('\n'));
    return out.toString();
  }

  private static String describe(HistogramSample h) {
    return h == null ? "stale" : h.toString();
  }

  private static String stateBytes(Object state, WriterStateCodec codec) {
    if (state == null) {
      return "none";
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      codec.write(state, new DataOutputStream(bytes));
      return HexFormat.of().formatHex(bytes.toByteArray());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
