package io.tocsin.datasource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tocsin.query.eval.QuerySourceException;
import io.tocsin.testing.FaultyProxy;
import io.tocsin.yaml.Secret;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusClientTest {
  private static PrometheusClient client(String url) {
    return new PrometheusClient(new DatasourceSettings("prom", URI.create(url), DatasourceSettings.Flavor.PROMETHEUS,
        Map.of("X-Token", Secret.of("h3ader")), "user", Secret.of("pa55"), Secret.NONE, Duration.ofSeconds(2), Map.of()));
  }

  @Test
  void queryRange_nothingListening_failsNamingTheDatasourceAndAddress() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    QuerySourceException e = catchThrowableOfType(QuerySourceException.class,
        () -> client("http://127.0.0.1:" + port).queryRange("up", 59_999, 119_999, 60_000));
    assertThat(e.getMessage()).isEqualTo("datasource prom: cannot connect to http://127.0.0.1:" + port);
  }

  @Test
  void queryRange_notThePrometheusApi_failsWithTheStartOfTheAnswer() throws Exception {
    try (FaultyProxy proxy = new FaultyProxy("http://127.0.0.1:1")) {
      proxy.mode(FaultyProxy.Mode.GARBAGE);
      QuerySourceException e = catchThrowableOfType(QuerySourceException.class,
          () -> client(proxy.url()).queryRange("up", 59_999, 119_999, 60_000));
      assertThat(e.getMessage()).isEqualTo("datasource prom: HTTP 200, not a Prometheus API answer: "
          + "<html>proxy error</html>").doesNotContain("pa55").doesNotContain("h3ader");
    }
  }

  @Test
  void seconds_areExactDecimals() {
    assertThat(PrometheusClient.seconds(1_772_366_459_999L)).isEqualTo("1772366459.999");
    assertThat(PrometheusClient.seconds(60_000)).isEqualTo("60");
    assertThat(PrometheusClient.seconds(1_005)).isEqualTo("1.005");
  }
}
