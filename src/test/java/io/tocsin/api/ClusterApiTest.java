package io.tocsin.api;

import static io.tocsin.testing.TestClusters.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tocsin.Tocsin;
import io.tocsin.cluster.Cluster;
import io.tocsin.testing.LogCapture;
import io.tocsin.testing.TestClusters;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/cluster}, the cluster metrics and the status page line, with and without a cluster. */
class ClusterApiTest {
  @TempDir
  Path dir;

  private final List<Tocsin> running = new ArrayList<>();

  @AfterEach
  void stop() {
    running.forEach(Tocsin::close);
  }

  private Tocsin start(String name, int port, List<Integer> ports) throws Exception {
    Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dir.resolve(name))
        .withCluster(TestClusters.member("api", port, ports, "s3cret")), MutableClock.at("2026-03-01T12:00:00Z"), false);
    running.add(tocsin);
    return tocsin;
  }

  @Test
  void cluster_twoMembers_eachReportsTheViewItsPositionAndMetrics() throws Exception {
    List<Integer> ports = TestClusters.freePorts(2);
    Tocsin first;
    Tocsin second;
    try (LogCapture logs = LogCapture.of(Cluster.class)) {
      first = start("a", ports.get(0), ports);
      second = start("b", ports.get(1), ports);
      await("a view of two", () -> first.cluster().members().size() == 2);
      assertThat(logs.messages()).contains(
          "INFO cluster \"api\": joined as 127.0.0.1:" + ports.get(1) + ", position 1 of 2 (view 1)");
    }

    HttpResponse<String> response = ApiClient.of(second).get("/api/v1/cluster");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = ApiClient.JSON.readTree(response.body());
    assertThat(body.get("enabled").asBoolean()).isTrue();
    assertThat(body.get("name").asText()).isEqualTo("api");
    assertThat(body.get("self").asText()).isEqualTo("127.0.0.1:" + ports.get(1));
    assertThat(body.get("position").asInt()).isEqualTo(1);
    assertThat(body.get("members").toString())
        .isEqualTo("[\"127.0.0.1:" + ports.get(0) + "\",\"127.0.0.1:" + ports.get(1) + "\"]");
    assertThat(body.get("view_id").asLong()).isEqualTo(1);
    assertThat(body.get("encrypted").asBoolean()).isTrue();

    String metrics = ApiClient.of(first).get("/metrics").body();
    assertThat(metrics).contains("\ntocsin_cluster_members 2.0\n", "\ntocsin_cluster_position 0.0\n",
        "\ntocsin_cluster_view_changes_total 1.0\n");
    Matcher sent = Pattern.compile("\ntocsin_cluster_sent_bytes_total (\\S+)\n").matcher(metrics);
    assertThat(sent.find()).as("tocsin_cluster_sent_bytes_total in " + metrics).isTrue();
    assertThat(Double.parseDouble(sent.group(1))).as("bytes sent by the coordinator of a view of two").isPositive();
    assertThat(ApiClient.of(second).get("/").body()).contains("<p id=\"cluster\">Cluster <b>api</b>: 2 members; "
        + "this member is 127.0.0.1:" + ports.get(1) + ", at position 1.</p>");

    second.close();
    await("a view of one", () -> first.cluster().members().size() == 1);
    assertThat(ApiClient.of(first).get("/metrics").body()).contains("\ntocsin_cluster_members 1.0\n",
        "\ntocsin_cluster_view_changes_total 2.0\n");
  }

  @Test
  void cluster_withoutAClusterSection_isDisabledAndStartsNoChannel() throws Exception {
    Tocsin alone = Tocsin.start(TestServers.loopbackConfig(dir), MutableClock.at("2026-03-01T12:00:00Z"), false);
    running.add(alone);

    HttpResponse<String> response = ApiClient.of(alone).get("/api/v1/cluster");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"enabled\":false,\"name\":null,\"self\":null,\"position\":null,"
        + "\"members\":[],\"view_id\":null,\"encrypted\":false}");
    assertThat(alone.cluster()).isNull();
    assertThat(ApiClient.of(alone).get("/metrics").body()).doesNotContain("tocsin_cluster_");
    assertThat(ApiClient.of(alone).get("/").body()).doesNotContain("id=\"cluster\"");
  }
}
