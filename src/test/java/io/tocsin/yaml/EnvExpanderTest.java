package io.tocsin.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvExpanderTest {
  private final Map<String, String> env = Map.of("HOST", "db", "EMPTY", "");
  private final EnvExpander expander = new EnvExpander(env::get);
  private final Mark mark = new Mark("f.yml", 2, 7);
  private final List<ConfigError> errors = new ArrayList<>();

  @Test
  void expand_setUnsetDefaultAndEscapes() {
    assertThat(expander.expand("tcp://${HOST}:5432", mark, errors)).isEqualTo("tcp://db:5432");
    assertThat(expander.expand("${MISSING:-fallback}", mark, errors)).isEqualTo("fallback");
    assertThat(expander.expand("${EMPTY:-fallback}", mark, errors)).isEqualTo("fallback");
    assertThat(expander.expand("${EMPTY}", mark, errors)).isEmpty();
    assertThat(expander.expand("cost: $$5 and $HOST", mark, errors)).isEqualTo("cost: $5 and $HOST");
    assertThat(errors).isEmpty();
  }

  @Test
  void expand_unsetWithoutDefault_isAnError() {
    assertThat(expander.expand("${MISSING}", mark, errors)).isEmpty();
    assertThat(errors).extracting(ConfigError::toString).containsExactly(
        "f.yml:2:7: environment variable MISSING is not set; set it, or give a default as ${MISSING:-default}");
  }

  @Test
  void expand_malformedReferences_areErrors() {
    expander.expand("${HOST", mark, errors);
    expander.expand("${1BAD}", mark, errors);
    assertThat(errors).extracting(ConfigError::message).containsExactly(
        "unterminated \"${\" in value; write $$ for a literal $",
        "invalid environment variable name \"1BAD\" in ${...}");
  }
}
