package io.tocsin.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A loopback HTTP proxy in front of a real store (VictoriaMetrics, Prometheus) that can be told to
 * fail: answer a Prometheus-shaped 503, never answer (until closed), drop the connection, or
 * answer something that is not the Prometheus API (a misconfigured proxy's page).
 * It makes a real datasource down, slow or wrong on demand.
 */
public final class FaultyProxy implements AutoCloseable {
  public enum Mode { FORWARD, ERROR, HANG, DROP, GARBAGE }

  private final HttpServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String target;
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Mode mode = Mode.FORWARD;

  public FaultyProxy(String targetUrl) throws IOException {
    this.target = targetUrl;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public void mode(Mode newMode) {
    this.mode = newMode;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      switch (mode) {
        case ERROR -> respond(exchange, 503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"storage is overloaded\"}");
        case HANG -> {
          try {
            closing.await(60, TimeUnit.SECONDS); // the client's timeout ends the request first
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        case DROP -> { } // closes the connection without an answer
        case GARBAGE -> respond(exchange, 200, "<html>proxy error</html>");
        case FORWARD -> {
          HttpResponse<byte[]> answer;
          try {
            answer = http.send(HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
          exchange.getResponseBody().write(answer.body());
        }
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
  }
}
