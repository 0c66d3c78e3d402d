package io.tocsin.datasource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.query.eval.QuerySourceException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Range queries against a Prometheus-compatible HTTP API ({@code GET /api/v1/query_range}),
 * with the datasource's headers, credentials and timeout. Answers are read up to {@link
 * #MAX_RESPONSE_BYTES}; every failure is a {@link QuerySourceException} naming the datasource
 * and the reason, never a credential.
 */
final class PrometheusClient {
  /** A monitor's answer is a few groups times a few buckets; 32 MiB is far beyond any sane one. */
  static final int MAX_RESPONSE_BYTES = 32 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DatasourceSettings settings;
  private final HttpClient http;

  PrometheusClient(DatasourceSettings settings) {
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The {@code data} of a successful answer; {@code startMs}, {@code endMs}, {@code stepMs} as sent. */
  JsonNode queryRange(String promql, long startMs, long endMs, long stepMs) {
    StringBuilder q = new StringBuilder("query=").append(URLEncoder.encode(promql, StandardCharsets.UTF_8))
        .append("&start=").append(seconds(startMs)).append("&end=").append(seconds(endMs))
        .append("&step=").append(seconds(stepMs));
    if (settings.flavor() == DatasourceSettings.Flavor.VICTORIAMETRICS) {
      q.append("&nocache=1"); // else VictoriaMetrics aligns start and end to the step, off the bucket ends
    }
    URI uri = URI.create(settings.url() + "/api/v1/query_range?" + q);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.timeout()).GET()
        .header("Accept", "application/json");
    settings.headers().forEach((name, value) -> request.header(name, value.reveal()));
    if (!settings.bearerToken().isEmpty()) {
      request.header("Authorization", "Bearer " + settings.bearerToken().reveal());
    } else if (!settings.username().isEmpty()) {
      String pair = settings.username() + ":" + settings.password().reveal();
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw fail("no answer within " + settings.timeout().toMillis() + " ms");
    } catch (ConnectException e) {
      throw fail("cannot connect to " + settings.url() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    } catch (IOException e) {
      throw fail("request to " + settings.url() + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail("interrupted");
    }
    JsonNode body;
    try (InputStream in = response.body()) {
      byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
      if (bytes.length > MAX_RESPONSE_BYTES) {
        throw fail("answer larger than " + (MAX_RESPONSE_BYTES >> 20) + " MiB");
      }
      body = parse(bytes, response.statusCode());
    } catch (HttpTimeoutException e) {
      throw fail("no answer within " + settings.timeout().toMillis() + " ms");
    } catch (IOException e) {
      throw fail("reading the answer failed: " + e);
    }
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      String error = body.path("error").asText("");
      String type = body.path("errorType").asText("");
      throw fail("HTTP " + response.statusCode() + (type.isEmpty() ? "" : " " + type)
          + (error.isEmpty() ? "" : ": " + error));
    }
    return body.path("data");
  }

  private JsonNode parse(byte[] bytes, int status) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      String start = new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8).strip();
      throw fail("HTTP " + status + ", not a Prometheus API answer: " + (start.isEmpty() ? "empty body" : start));
    }
  }

  QuerySourceException fail(String reason) {
    return new QuerySourceException("datasource " + settings.name() + ": " + reason);
  }

  /** Milliseconds as decimal seconds, exactly: 1700000059999 is 1700000059.999. */
  static String seconds(long ms) {
    long s = Math.floorDiv(ms, 1000);
    long frac = Math.floorMod(ms, 1000);
    return frac == 0 ? Long.toString(s) : s + "." + String.format("%03d", frac);
  }
}
