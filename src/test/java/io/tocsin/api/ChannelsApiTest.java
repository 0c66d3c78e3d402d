package io.tocsin.api;

import static io.tocsin.api.ApiClient.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.notify.webhook.RecordingReceiver;
import io.tocsin.testing.RuleHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/channels} and {@code POST /api/v1/channels/{name}/test} against a real webhook receiver. */
class ChannelsApiTest {
  @TempDir
  Path dataDir;

  private final RecordingReceiver receiver = RecordingReceiver.start("/hook");
  private Tocsin tocsin;
  private ApiClient api;

  @BeforeEach
  void start() throws Exception {
    tocsin = new RuleHarness().start(dataDir, MonitorsApiTest.RULES + """
        channels:
          - {name: hook, type: webhook, url: "%s"}
          - {name: log, type: log}
        """.formatted(receiver.url("/hook")));
    api = ApiClient.of(tocsin);
  }

  @AfterEach
  void stop() {
    tocsin.close();
    receiver.close();
  }

  @Test
  void list_namesTheChannels() throws Exception {
    HttpResponse<String> list = api.get("/api/v1/channels");

    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).isEqualTo("{\"channels\":[\"hook\",\"log\"]}");
  }

  @Test
  void test_thatTheChannelTakes_is200_andIsInTheHistory() throws Exception {
    HttpResponse<String> sent = api.post("/api/v1/channels/hook/test", null);

    assertThat(sent.statusCode()).isEqualTo(200);
    assertThat(sent.body()).isEqualTo("{\"channel\":\"hook\",\"outcome\":\"sent\",\"detail\":\"HTTP 200\"}");
    assertThat(receiver.requests()).hasSize(1);
    assertThat(receiver.requests().get(0).body()).contains("\"status\":\"firing\"");
    assertThat(api.json("/api/v1/alerts/history").get("history").get(0).toString()).isEqualTo(
        "{\"at\":1772366400000,\"type\":\"test_sent\",\"monitor_id\":\"\",\"monitor\":\"Tocsin test notification\","
            + "\"labels\":{},\"value\":null,\"detail\":\"HTTP 200\",\"channel\":\"hook\"}");
  }

  @Test
  void test_thatTheChannelRefuses_is502WithItsAnswer() throws Exception {
    receiver.answer(400, "bad payload", Map.of());

    HttpResponse<String> refused = api.post("/api/v1/channels/hook/test", null);

    assertThat(refused.statusCode()).isEqualTo(502);
    assertThat(refused.body()).isEqualTo("{\"channel\":\"hook\",\"outcome\":\"failed\","
        + "\"detail\":\"HTTP 400: bad payload\","
        + "\"error\":\"the channel did not accept the test message: HTTP 400: bad payload\"}");
  }

  @Test
  void test_ofAnUnknownChannel_is404() throws Exception {
    HttpResponse<String> unknown = api.post("/api/v1/channels/nope/test", null);

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo(error("no channel named \"nope\"; channels are [hook, log]"));
  }
}
