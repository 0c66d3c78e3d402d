package io.tocsin.api;

import static io.tocsin.api.ApiClient.error;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.Tocsin;
import io.tocsin.testing.RawHttpConnection;
import io.tocsin.testing.RuleHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests that used to overflow or break the framing and answer 500: each is a 400 with a JSON error. */
class HostileRequestsTest {
  @TempDir
  Path dataDir;

  private Tocsin tocsin;
  private ApiClient api;

  @BeforeEach
  void start() throws Exception {
    tocsin = new RuleHarness().start(dataDir, "redis.yml", MonitorsApiTest.RULES);
    api = ApiClient.of(tocsin);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private void assertBadRequest(HttpResponse<String> response, String body) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.body()).isEqualTo(body);
  }

  @Test
  void queryRangeOrIntervalBeyondMilliseconds_is400() throws Exception {
    assertBadRequest(api.post("/api/v1/query", "{\"query\": [\"1\"], \"range\": \"2562047788015215h\"}"),
        error("\"range\": duration \"2562047788015215h\" is too long"));
    assertBadRequest(api.post("/api/v1/query", "{\"query\": [\"1\"], \"interval\": \"106751991167w\"}"),
        error("\"interval\": duration \"106751991167w\" is too long"));
    assertBadRequest(api.post("/api/v1/query", "{\"query\": [\"1\"], \"interval\": \"1000000w\", \"range\": \"1000000w\"}"),
        error("\"interval\" must be at most 520w, got 1000000w"));
  }

  @Test
  void offsetOrWindowBeyondMilliseconds_isAQueryError() throws Exception {
    assertBadRequest(api.post("/api/v1/query", "{\"metrics\": [\"redis_up as $up\"], \"query\": [\"$up offset 106751991167w\"]}"),
        "{\"error\":\"query[0]: line 1:12: duration \\\"106751991167w\\\" is too long\",\"item\":\"query[0]\","
            + "\"line\":1,\"column\":12}");
    assertBadRequest(api.post("/api/v1/query",
        "{\"metrics\": [\"redis_up as $up\"], \"query\": [\"avg_over_time($up[2562047788015215h])\"]}"),
        "{\"error\":\"query[0]: line 1:19: duration \\\"2562047788015215h\\\" is too long\",\"item\":\"query[0]\","
            + "\"line\":1,\"column\":19}");
  }

  @Test
  void monitorPointsRangeBeyondMilliseconds_is400() throws Exception {
    assertBadRequest(api.get("/api/v1/monitors/shard-is-down?range=2562047788015215h"),
        error("range: duration \"2562047788015215h\" is too long"));
    assertBadRequest(api.get("/api/v1/monitors/shard-is-down?range=600w"), error("range must be at most 520w, got 600w"));
  }

  @Test
  void silenceTimesOutsideRfc3339Years_are400_andNothingIsSaved() throws Exception {
    assertBadRequest(api.post("/api/v1/silences", "{\"matchers\": [\"a=b\"], \"ends_at\": \"+999999999-12-31T23:59:59Z\"}"),
        error("\"ends_at\" must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, "
            + "got \"+999999999-12-31T23:59:59Z\""));
    assertBadRequest(api.post("/api/v1/silences", "{\"matchers\": [\"a=b\"], \"ends_at\": 9223372036854775807}"),
        error("\"ends_at\" must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, "
            + "got 9223372036854775807"));
    assertBadRequest(api.post("/api/v1/silences",
        "{\"matchers\": [\"a=b\"], \"starts_at\": -9223372036854775808, \"ends_at\": \"2027-01-01T00:00:00Z\"}"),
        error("\"starts_at\" must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, "
            + "got -9223372036854775808"));

    assertThat(api.get("/api/v1/silences").body()).isEqualTo("{\"silences\":[],\"total\":0}");
    assertThat(api.get("/").statusCode()).isEqualTo(200);
  }

  @Test
  void listLimitsBeyondInt_are400() throws Exception {
    assertBadRequest(api.get("/api/v1/monitors?limit=99999999999999999999"),
        error("limit must be a whole number from 0 to 1000, got \"99999999999999999999\""));
    assertBadRequest(api.get("/api/v1/alerts/history?offset=99999999999"),
        error("offset must be a whole number 0 or more, got \"99999999999\""));
  }

  @Test
  void chunkSizeBeyondLong_is400() throws Exception {
    for (String path : new String[] {"/api/v1/query", "/api/v1/silences"}) {
      try (RawHttpConnection connection = RawHttpConnection.open(tocsin.httpPort())) {
        RawHttpConnection.Response response = connection.exchange("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n");

        assertThat(response.status()).as(path).isEqualTo(400);
        assertThat(response.headers().get("content-type")).isEqualTo("application/json");
        assertThat(response.body()).isEqualTo(error(RequestBody.BAD_BODY));
      }
    }
    assertThat(api.get("/api/v1/silences").body()).isEqualTo("{\"silences\":[],\"total\":0}");
  }
}
