package io.tocsin.api;

import static io.tocsin.api.ApiClient.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.testing.RuleHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/v1/routes/test}: the routes and channels a label set takes, now or at a given time. */
class RoutesApiTest {
  @TempDir
  Path dataDir;

  private Tocsin tocsin;
  private ApiClient api;

  @BeforeEach
  void start() throws Exception {
    // RuleHarness.T0 is Sunday 1 March 2026, 12:00 UTC.
    tocsin = new RuleHarness().start(dataDir, MonitorsApiTest.RULES + """
        channels:
          - {name: pager, type: log}
          - {name: chat, type: log}
        time_intervals:
          - name: weekend
            time_intervals: [{weekdays: [saturday, sunday]}]
        routes:
          - matchers: ['severity="critical"']
            channels: [pager]
            mute_time_intervals: [weekend]
            continue: true
          - matchers: ['node=~"n[12]"']
            channels: [chat]
          - matchers: ['team="db"']
            channels: [chat]
            group_by: [cluster, monitor]
            repeat_interval: 1h
        """);
    api = ApiClient.of(tocsin);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  @Test
  void test_namesEachRouteTaken_andTheChannelsNotMutedNow() throws Exception {
    HttpResponse<String> answer = api.post("/api/v1/routes/test",
        "{\"labels\": {\"monitor\": \"Shard is down\", \"severity\": \"critical\", \"node\": \"n1\"}}");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("{\"labels\":{\"alertname\":\"Shard is down\",\"node\":\"n1\","
        + "\"severity\":\"critical\"},\"channels\":[\"chat\"],\"routes\":["
        + "{\"path\":\"root/0\",\"channels\":[\"pager\"],"
        + "\"muted\":\"mute_time_intervals: weekend\"},"
        + "{\"path\":\"root/1\",\"channels\":[\"chat\"],\"muted\":null}]}");
  }

  @Test
  void test_atAWeekday_isNotMuted_andUnmatchedLabelsGoToEveryChannel() throws Exception {
    HttpResponse<String> monday = api.post("/api/v1/routes/test",
        "{\"labels\": {\"severity\": \"critical\"}, \"at\": \"2026-03-02T12:00:00Z\"}");
    assertThat(monday.body()).isEqualTo("{\"labels\":{\"severity\":\"critical\"},\"channels\":[\"pager\"],"
        + "\"routes\":[{\"path\":\"root/0\",\"channels\":[\"pager\"],\"muted\":null}]}");

    HttpResponse<String> other = api.post("/api/v1/routes/test", "{\"labels\": {\"team\": \"web\"}}");
    assertThat(other.body()).isEqualTo("{\"labels\":{\"team\":\"web\"},\"channels\":[\"pager\",\"chat\"],"
        + "\"routes\":[{\"path\":\"root\",\"channels\":[\"pager\",\"chat\"],"
        + "\"muted\":null}]}");
  }

  @Test
  void test_ofAnAggregatingRoute_showsItsSettingsAndTheGroupTheAlertJoins() throws Exception {
    HttpResponse<String> answer = api.post("/api/v1/routes/test",
        "{\"labels\": {\"monitor\": \"Hit rate\", \"team\": \"db\", \"cluster\": \"c1\", \"node\": \"n7\"}}");

    assertThat(answer.body()).isEqualTo("{\"labels\":{\"alertname\":\"Hit rate\",\"cluster\":\"c1\",\"node\":\"n7\","
        + "\"team\":\"db\"},\"channels\":[\"chat\"],\"routes\":[{\"path\":\"root/2\",\"channels\":[\"chat\"],"
        + "\"muted\":null,\"grouping\":{\"group_by\":[\"cluster\",\"alertname\"],\"group_wait\":\"30s\","
        + "\"group_interval\":\"5m\",\"repeat_interval\":\"1h\",\"group_labels\":{\"alertname\":\"Hit rate\","
        + "\"cluster\":\"c1\"}}}]}");
  }

  @Test
  void test_withABadBody_is400WithTheReason() throws Exception {
    HttpResponse<String> notJson = api.post("/api/v1/routes/test", "{labels");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).startsWith("{\"error\":\"request body is not valid JSON: ");

    HttpResponse<String> noLabels = api.post("/api/v1/routes/test", "{\"severity\": \"critical\"}");
    assertThat(noLabels.statusCode()).isEqualTo(400);
    assertThat(noLabels.body()).isEqualTo(error("request body must be a JSON object such as {\"labels\": "
        + "{\"monitor\": \"Redis shard is down\", \"severity\": \"critical\"}, \"at\": \"2026-03-01T12:00:00Z\"} "
        + "(\"at\" optional)"));

    HttpResponse<String> badValue = api.post("/api/v1/routes/test", "{\"labels\": {\"node\": 1}}");
    assertThat(badValue.body()).isEqualTo(error("label \"node\" must have a string value"));

    HttpResponse<String> badTime = api.post("/api/v1/routes/test", "{\"labels\": {}, \"at\": \"monday\"}");
    assertThat(badTime.body()).isEqualTo(error("\"at\" must be an RFC 3339 time such as \"2026-03-01T12:00:00Z\""));
  }
}
