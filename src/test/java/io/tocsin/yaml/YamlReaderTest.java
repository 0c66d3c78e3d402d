package io.tocsin.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
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
}
