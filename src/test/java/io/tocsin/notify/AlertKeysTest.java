package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AlertKeysTest {
  @Test
  void of_monitorAndGroup_isTheSha256PrefixOfBoth() {
    // printf 'redis-shard-is-down\n{node="n1"}' | sha256sum | cut -c1-32
    assertThat(AlertKeys.of("redis-shard-is-down", Map.of("node", "n1")))
        .isEqualTo("tocsin-07f6acd144fd369c51d4e1ec1d9ca6f7");
  }

  @Test
  void of_labelOrder_doesNotMatter_butEveryLabelAndTheMonitorDo() {
    Map<String, String> ordered = new TreeMap<>(Map.of("a", "1", "b", "2"));
    String key = AlertKeys.of("m", ordered);

    assertThat(AlertKeys.of("m", Map.of("b", "2", "a", "1"))).isEqualTo(key);
    assertThat(AlertKeys.of("m", Map.of("b", "2", "a", "3"))).isNotEqualTo(key);
    assertThat(AlertKeys.of("other", ordered)).isNotEqualTo(key);
    assertThat(AlertKeys.of("m", Map.of())).isNotEqualTo(key);
  }
}
