package io.tocsin.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Anchors, aliases and merge keys as {@link YamlReader} expands them, against SnakeYAML's own
 * loader (the reference for YAML's meaning) on random documents that define mappings with
 * anchors, nest aliases in them, and merge one or several of them next to written keys.
 */
class YamlAliasesPropertiesTest {
  private static final List<String> KEYS = List.of("a", "b", "c", "d", "e");
  private static final List<String> WORDS = List.of("foo", "bar", "baz", "qux");

  @Property(tries = 300)
  void aliasesAndMergeKeys_expandAsSnakeYamlLoadsThem(
      @ForAll @Size(min = 40, max = 40) List<@IntRange(min = 0, max = 999) Integer> choices) throws Exception {
    String text = document(choices.iterator());

    Object reference = new Yaml(new LoaderOptions()).load(text);
    YamlNode read = new YamlReader(name -> null).read("r.yml", text, new ArrayList<>());

    assertThat(plain(read)).as(text).isEqualTo(reference);
  }

  /** {@code defs} with anchors {@code &a0..}, each may alias earlier ones; {@code use} aliases and merges them. */
  private static String document(Iterator<Integer> choices) {
    int anchors = 1 + choices.next() % 4;
    StringBuilder text = new StringBuilder("defs:\n");
    for (int i = 0; i < anchors; i++) {
      text.append("  - &a").append(i).append(" {");
      List<String> keys = keys(choices);
      for (int k = 0; k < keys.size(); k++) {
        int value = choices.next();
        String written = i > 0 && value % 3 == 0 ? "*a" + (value % i) : WORDS.get(value % WORDS.size());
        text.append(k == 0 ? "" : ", ").append(keys.get(k)).append(": ").append(written);
      }
      text.append("}\n");
    }
    text.append("use:\n");
    int uses = 1 + choices.next() % 3;
    for (int u = 0; u < uses; u++) {
      int kind = choices.next() % 3;
      String first = "*a" + choices.next() % anchors;
      text.append("  u").append(u).append(": ");
      switch (kind) {
        case 0 -> text.append(first).append('\n');
        case 1 -> text.append("{<<: ").append(first).append(", ").append(keys(choices).get(0)).append(": own}\n");
        default -> {
          String second = "*a" + choices.next() % anchors;
          text.append("\n    <<: [").append(first).append(", ").append(second).append("]\n");
          for (String key : keys(choices)) {
            text.append("    ").append(key).append(": own\n");
          }
        }
      }
    }
    return text.toString();
  }

  /** One to three distinct keys. */
  private static List<String> keys(Iterator<Integer> choices) {
    int start = choices.next();
    int count = 1 + choices.next() % 3;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add(KEYS.get((start + i) % KEYS.size()));
    }
    return keys;
  }

  private static Object plain(YamlNode node) {
    if (node instanceof YamlNode.Mapping mapping) {
      Map<String, Object> map = new LinkedHashMap<>();
      mapping.entries().forEach((key, entry) -> map.put(key, plain(entry.value())));
      return map;
    }
    if (node instanceof YamlNode.Sequence sequence) {
      return sequence.items().stream().map(YamlAliasesPropertiesTest::plain).toList();
    }
    return ((YamlNode.Scalar) node).text();
  }
}
