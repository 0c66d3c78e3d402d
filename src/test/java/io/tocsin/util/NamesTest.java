package io.tocsin.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamesTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "redis.keyspace.hits     | redis_keyspace_hits",
      "host.name               | host_name",
      "redis_keyspace_hits     | redis_keyspace_hits",
      "http.server.request-duration | http_server_request_duration",
      "..a..b..                | a_b",
      "__x__y__                | x_y",
      "k8s.pod.name            | k8s_pod_name",
      "ünïcode.näme            | n_code_n_me",
      "'...'                   | ''",
  })
  void normalize_replacesCollapsesAndTrims(String input, String expected) {
    assertThat(Names.normalize(input)).isEqualTo(expected);
  }
}
