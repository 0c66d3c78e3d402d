package io.tocsin.testing;

import io.tocsin.ingest.prompb.Label;
import io.tocsin.ingest.prompb.MetricMetadata;
import io.tocsin.ingest.prompb.Sample;
import io.tocsin.ingest.prompb.TimeSeries;
import io.tocsin.ingest.prompb.WriteRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote-write requests built with the generated messages and snappy, as Prometheus
 * sends them, and a client that posts them with Prometheus' headers.
 */
public final class RemoteWriteRequests {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private RemoteWriteRequests() {}

  /** A series named {@code name} with {@code labels} (name, value, ...) and samples (time, value, ...). */
  public static TimeSeries series(String name, String[] labels, double... timesAndValues) {
    Map<String, String> sorted = new TreeMap<>();
    sorted.put("__name__", name);
    for (int i = 0; i < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    TimeSeries.Builder series = TimeSeries.newBuilder();
    sorted.forEach((k, v) -> series.addLabels(Label.newBuilder().setName(k).setValue(v)));
    for (int i = 0; i < timesAndValues.length; i += 2) {
      series.addSamples(Sample.newBuilder().setTimestamp((long) timesAndValues[i]).setValue(timesAndValues[i + 1]));
    }
    return series.build();
  }

  public static String[] labels(String... namesAndValues) {
    return namesAndValues;
  }

  public static MetricMetadata metadata(String family, MetricMetadata.MetricType type) {
    return MetricMetadata.newBuilder().setMetricFamilyName(family).setType(type).build();
  }

  public static WriteRequest request(TimeSeries... series) {
    WriteRequest.Builder request = WriteRequest.newBuilder();
    for (TimeSeries s : series) {
      request.addTimeseries(s);
    }
    return request.build();
  }

  /** The body Prometheus sends: the request's protobuf bytes as one snappy block. */
  public static byte[] snappy(WriteRequest request) {
    try {
      return Snappy.compress(request.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Posts {@code request} to {@code baseUrl}/api/v1/write with Prometheus' headers. */
  public static HttpResponse<String> post(String baseUrl, WriteRequest request) throws Exception {
    return post(baseUrl, snappy(request), "application/x-protobuf", "snappy", null);
  }

  /** Posts {@code body} with these headers; null leaves a header out. */
  public static HttpResponse<String> post(String baseUrl, byte[] body, String contentType, String contentEncoding,
      String bearerToken) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/write"))
        .timeout(Duration.ofSeconds(30))
        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
        .header("User-Agent", "Prometheus/2.42.0")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (contentEncoding != null) {
      request.header("Content-Encoding", contentEncoding);
    }
    if (bearerToken != null) {
      request.header("Authorization", "Bearer " + bearerToken);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
