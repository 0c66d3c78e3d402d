package io.tocsin.notify.alertmanager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tocsin.testing.ExternalServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}, started by {@link
 * ExternalServer}) with a minimal configuration that routes everything to a receiver that sends
 * nothing, and what it holds as alerts.
 */
final class AlertmanagerProcess implements AutoCloseable {
  static final Path BINARY = ExternalServer.ALERTMANAGER;
  private static final String CONFIG = """
      route:
        receiver: "null"
      receivers:
        - name: "null"
      """;

  private final ExternalServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private AlertmanagerProcess(ExternalServer server) {
    this.server = server;
  }

  static boolean installed() {
    return ExternalServer.installed(BINARY);
  }

  /** Starts Alertmanager and returns once {@code /-/ready} answers 200. */
  static AlertmanagerProcess start(Path dir) throws Exception {
    return new AlertmanagerProcess(ExternalServer.alertmanager(dir, CONFIG));
  }

  String url() {
    return server.url();
  }

  /** The alerts Alertmanager holds as not resolved, from {@code GET /api/v2/alerts}. */
  List<JsonNode> alerts() throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url() + "/api/v2/alerts")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /api/v2/alerts: HTTP " + response.statusCode() + ": " + response.body());
    }
    List<JsonNode> alerts = new ArrayList<>();
    json.readTree(response.body()).forEach(alerts::add);
    return alerts;
  }

  String output() throws IOException {
    return server.output();
  }

  @Override
  public void close() throws InterruptedException {
    server.close();
  }
}
