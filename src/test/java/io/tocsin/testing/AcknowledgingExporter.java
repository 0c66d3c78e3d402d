package io.tocsin.testing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.util.Collection;

/**
 * Wraps a real SDK exporter and adds up the values of a long sum metric in the exports the server
 * acknowledged (the export's result succeeded) and in those it did not (failed or never
 * answered): what a crash test may expect to find stored, and what it may find on top.
 */
public final class AcknowledgingExporter implements MetricExporter {
  private final MetricExporter delegate;
  private final String metric;
  private long acknowledgedSum;
  private int acknowledgedExports;
  private long unacknowledgedSum;
  private int unacknowledgedExports;

  public AcknowledgingExporter(MetricExporter delegate, String metric) {
    this.delegate = delegate;
    this.metric = metric;
  }

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    // Summed before the delegate runs: with reusable data the points may change after it returns.
    long sum = 0;
    for (MetricData data : metrics) {
      if (data.getName().equals(metric) && data.getType() == MetricDataType.LONG_SUM) {
        sum += data.getLongSumData().getPoints().stream().mapToLong(LongPointData::getValue).sum();
      }
    }
    long exported = sum;
    synchronized (this) {
      unacknowledgedSum += exported;
      unacknowledgedExports++;
    }
    CompletableResultCode result = delegate.export(metrics);
    result.whenComplete(() -> {
      if (result.isSuccess()) {
        synchronized (this) {
          unacknowledgedSum -= exported;
          unacknowledgedExports--;
          acknowledgedSum += exported;
          acknowledgedExports++;
        }
      }
    });
    return result;
  }

  public synchronized long acknowledgedSum() {
    return acknowledgedSum;
  }

  public synchronized int acknowledgedExports() {
    return acknowledgedExports;
  }

  /** The values of exports that failed or are still waiting for an answer. */
  public synchronized long unacknowledgedSum() {
    return unacknowledgedSum;
  }

  public synchronized int unacknowledgedExports() {
    return unacknowledgedExports;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return delegate.getAggregationTemporality(instrumentType);
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
