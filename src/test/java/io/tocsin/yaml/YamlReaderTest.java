package io.tocsin.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlReaderTest {
  private static String syntaxError(String text) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new YamlReader(name -> null).read("r.yml", text, new ArrayList<>()));
    assertThat(e).as("no error for:%n%s", text).isNotNull();
    return e.getMessage();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      tab indentation          | monitors:\\n  - name: a\\n\\tmetrics: [x as $x]\\n                 | r.yml:3:1: invalid YAML: tab characters are not allowed for indentation; indent with spaces
      item indented too far    | monitors:\\n  - name: a\\n    query: [$x]\\n   - name: b\\n    | r.yml:4:4: invalid YAML: bad indentation: expected a list item ("- ") at column 3, the indentation of the list that starts at line 2, found a list item ("- ") at column 4
      item indented too little | monitors:\\n- name: a\\n  query: [$x]\\n - name: b\\n          | r.yml:4:2: invalid YAML: bad indentation: expected a key at column 1, the indentation of the mapping that starts at line 1, found a list item ("- ") at column 2
      key at the list's column | monitors:\\n  - name: a\\n  query: [$x]\\n                     | r.yml:3:3: invalid YAML: bad indentation: expected a list item ("- ") at column 3, the indentation of the list that starts at line 2, found a key at column 3
      key under a value        | a: 1\\n b: 2\\n                                                 | r.yml:2:3: invalid YAML: unexpected ": ": a key cannot start here; check this line's indentation, or quote the value if it contains ": "
      unclosed list            | monitors:\\n  - query: [$x\\n  - name: b\\n                    | r.yml:3:9: invalid YAML: expected "," or "]" in the "[" opened at line 2, column 12, found ":"
      """)
  void read_syntaxError_pointsAtTheMistakeAndSaysWhatIsWrong(String what, String text, String error) {
    assertThat(syntaxError(text.replace("\\n", "\n").replace("\\t", "\t"))).isEqualTo(error);
  }

  private static YamlNode read(String text, List<ConfigError> errors) throws ConfigException {
    return new YamlReader(name -> null).read("r.yml", text, errors);
  }

  @Test
  void read_anchorsAliasesAndMergeKeys_areExpanded() throws Exception {
    List<ConfigError> errors = new ArrayList<>();
    YamlNode root = read("""
        defaults: &defaults
          for_duration: 5m
          labels: &labels {severity: page}
        other: &other {team: db, for_duration: 1m}
        monitors:
          - <<: *defaults
            name: a
            for_duration: 2m
          - <<: [*other, *defaults]
            name: b
            extra: *labels
        """, errors);

    assertThat(errors).isEmpty();
    YamlNode.Sequence monitors = (YamlNode.Sequence) ((YamlNode.Mapping) root).entries().get("monitors").value();
    YamlNode.Mapping a = (YamlNode.Mapping) monitors.items().get(0);
    YamlNode.Mapping b = (YamlNode.Mapping) monitors.items().get(1);
    assertThat(a.entries().keySet()).containsExactly("name", "for_duration", "labels");
    assertThat(text(a, "for_duration")).isEqualTo("2m"); // given beats merged
    assertThat(b.entries().keySet()).containsExactly("name", "extra", "team", "for_duration", "labels");
    assertThat(text(b, "for_duration")).isEqualTo("1m"); // the first mapping of a merge list wins
    assertThat(((YamlNode.Mapping) b.entries().get("extra").value()).entries()).containsKey("severity");
    // a merged value points at where it was written
    assertThat(a.entries().get("labels").keyMark()).isEqualTo(new Mark("r.yml", 3, 3));
  }

  private static String text(YamlNode.Mapping mapping, String key) {
    return ((YamlNode.Scalar) mapping.entries().get(key).value()).text();
  }

  @Test
  void read_anchoredScalar_pointsAtItsValue() throws Exception {
    YamlNode.Mapping root = (YamlNode.Mapping) read("x: &x 'abc'\ny: *x\nz: &z\n  5\n", new ArrayList<>());

    YamlNode.Scalar x = (YamlNode.Scalar) root.entries().get("x").value();
    assertThat(x.mark()).isEqualTo(new Mark("r.yml", 1, 7));
    assertThat(x.at(1, 1)).isEqualTo(new Mark("r.yml", 1, 8));
    assertThat(root.entries().get("y").value()).isSameAs(x);
    assertThat(((YamlNode.Scalar) root.entries().get("z").value()).text()).isEqualTo("5");
  }

  @Test
  void read_badAliasOrMerge_isAnErrorWithItsPosition() throws Exception {
    ConfigException unknown = catchThrowableOfType(ConfigException.class,
        () -> read("a: &a [*a]\n", new ArrayList<>()));
    assertThat(unknown.getMessage()).isEqualTo("r.yml:1:8: unknown alias *a: no anchor &a before it");

    List<ConfigError> errors = new ArrayList<>();
    read("x: &x 5\ny:\n  <<: *x\n  z: 1\n", errors);
    assertThat(errors).extracting(ConfigError::toString)
        .containsExactly("r.yml:1:7: << (merge key) needs a mapping, an alias of one or a list of them, got \"5\"");
  }

  @Test
  void read_billionLaughs_isRefusedAtTheAliasThatExpandsTooFar() {
    StringBuilder bomb = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char name = 'b'; name <= 'z'; name++) {
      bomb.append(name).append(": &").append(name).append(" [").append(("*" + (char) (name - 1) + ", ").repeat(9))
          .append('*').append((char) (name - 1)).append("]\n");
    }
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> read(bomb.toString(), new ArrayList<>()));

    assertThat(e.getMessage()).isEqualTo("r.yml:5:36: YAML aliases expand to more than 100000 values; refusing the"
        + " file (write the repeated values out, or alias fewer of them)");
  }
}
