package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.Tocsin;
import io.tocsin.config.ServerConfig;
import io.tocsin.config.ServerConfigLoader;
import io.tocsin.testing.RawHttpConnection;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.Secret;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API token over HTTP: changes need it, reads only with protect_reads, probes never. */
class ApiAuthTest {
  private static final String TOKEN = "s3cret-token";

  @TempDir
  Path dataDir;

  private final HttpClient http = HttpClient.newHttpClient();

  private Tocsin start(boolean protectReads) throws Exception {
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/r.yml"), MonitorsApiTest.RULES);
    ServerConfig config = TestServers.loopbackConfig(dataDir)
        .withApi(new ServerConfig.Api(Secret.of(TOKEN), protectReads));
    return Tocsin.start(config, MutableClock.at("2026-03-01T12:00:00Z"), false);
  }

  private HttpResponse<String> send(Tocsin tocsin, String method, String path, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> query(Tocsin tocsin, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/api/v1/query"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"metrics\": [\"redis_up as $up\"], \"query\": [\"$up\"]}"));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void mutations_needTheToken() throws Exception {
    try (Tocsin tocsin = start(false)) {
      HttpResponse<String> missing = send(tocsin, "POST", "/-/reload", null);
      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(missing.body()).isEqualTo("{\"error\":\"this endpoint needs Authorization: Bearer <api.token>\"}");
      assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tocsin\"");

      HttpResponse<String> wrong = send(tocsin, "POST", "/api/v1/monitors/shard-is-down/pause", "Bearer guess");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).isEqualTo("{\"error\":\"the bearer token is not the configured api.token\"}");
      assertThat(tocsin.engine().monitor("shard-is-down").orElseThrow().paused()).isFalse();

      assertThat(send(tocsin, "POST", "/api/v1/monitors/shard-is-down/pause", "Bearer " + TOKEN).statusCode())
          .isEqualTo(200);
      assertThat(tocsin.engine().monitor("shard-is-down").orElseThrow().paused()).isTrue();
      assertThat(send(tocsin, "POST", "/api/v1/channels/log/test", null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void reads_stayOpen_unlessProtected() throws Exception {
    try (Tocsin open = start(false)) {
      assertThat(send(open, "GET", "/api/v1/monitors", null).statusCode()).isEqualTo(200);
      assertThat(send(open, "GET", "/", null).statusCode()).isEqualTo(200);
      assertThat(query(open, null).statusCode()).as("a query is a read, though POSTed").isEqualTo(200);
    }
    try (Tocsin closed = start(true)) {
      assertThat(send(closed, "GET", "/api/v1/monitors", null).statusCode()).isEqualTo(401);
      assertThat(send(closed, "GET", "/metrics", null).statusCode()).isEqualTo(401);
      assertThat(send(closed, "GET", "/api/v1/monitors", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
      assertThat(send(closed, "GET", "/-/healthy", null).statusCode()).isEqualTo(200);
      assertThat(send(closed, "GET", "/-/ready", null).statusCode()).isEqualTo(200);
      assertThat(query(closed, null).statusCode()).isEqualTo(401);
      assertThat(query(closed, "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }
  }

  private static String pause(String authorization) {
    return "POST /api/v1/monitors/shard-is-down/pause HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "authorization: " + authorization + "\r\nContent-Length: 0\r\n\r\n";
  }

  @Test
  void tokenInAnotherCase_onAReusedConnection_is401() throws Exception {
    try (Tocsin tocsin = start(false); RawHttpConnection connection = RawHttpConnection.open(tocsin.httpPort())) {
      assertThat(connection.exchange(pause("Bearer " + TOKEN)).status()).isEqualTo(200);
      tocsin.engine().pause("shard-is-down", false);

      RawHttpConnection.Response otherCase = connection.exchange(pause("bearer " + TOKEN.toUpperCase(Locale.ROOT)));

      assertThat(otherCase.status()).isEqualTo(401);
      assertThat(otherCase.body()).isEqualTo("{\"error\":\"the bearer token is not the configured api.token\"}");
      assertThat(tocsin.engine().monitor("shard-is-down").orElseThrow().paused()).isFalse();
    }
  }

  @Test
  void schemeInAnyCase_isAccepted() throws Exception {
    try (Tocsin tocsin = start(false); RawHttpConnection connection = RawHttpConnection.open(tocsin.httpPort())) {
      assertThat(connection.exchange(pause("bearer " + TOKEN)).status()).isEqualTo(200);
      assertThat(connection.exchange(pause("BEARER " + TOKEN)).status()).isEqualTo(200);
      assertThat(connection.exchange(pause("Bearer " + TOKEN + "x")).status()).isEqualTo(401);
      assertThat(connection.exchange(pause("Bearer " + TOKEN.substring(1))).status()).isEqualTo(401);
      assertThat(connection.exchange(pause("Basic " + TOKEN)).status()).isEqualTo(401);
    }
  }

  @Test
  void protectReadsWithoutAToken_isAConfigError() {
    assertThatThrownBy(() -> new ServerConfigLoader(Map.<String, String>of()::get)
        .parse("tocsin.yml", "api: {protect_reads: true}", dataDir))
        .isInstanceOf(ConfigException.class)
        .hasMessage("tocsin.yml:1:22: api.protect_reads needs api.token");
  }
}
