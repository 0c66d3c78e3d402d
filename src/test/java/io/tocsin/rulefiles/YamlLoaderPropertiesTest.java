package io.tocsin.rulefiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.tocsin.yaml.ConfigException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * The rule file loader on random input: it either loads or throws a {@link ConfigException}
 * whose every error is {@code file:line:col: message}; never another exception, and within
 * bounded time and memory for each input.
 */
class YamlLoaderPropertiesTest {
  private static final String SEED = readSeed();
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final long MAX_NANOS = 2_000_000_000L;
  private static final long MAX_ALLOCATED_BYTES = 256L << 20;
  private static final List<String> KEYS = List.of("monitors", "channels", "name", "metrics", "query",
      "min_allowed_value", "max_allowed_value", "for_duration", "grouping_interval", "evaluation_delay",
      "absent_points", "channels", "type", "url", "labels", "annotations", "repeat_interval", "paused", "x");
  private static final List<String> SCALARS = List.of("redis_up as $up", "$up", "group by node", "5m", "1", "-1e9",
      "0.75", "true", "null", "~", "${HOOK}", "$${X}", "${", "\"quoted\"", "'single'", "|", ">", "*a", "&a x", "!!str 1",
      "[", "{", "- x", ": x", "#", "avg($up) > 1", "webhook", "https://x.example/{{labels.node}}", "\t", "\u00e9\u2603");

  private static final RuleFiles LOADER = new RuleFiles(Map.of("HOOK", "https://hooks.example/x")::get);

  private static String readSeed() {
    try {
      return Files.readString(Path.of("rules/redis.yml"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Loads {@code text} as a rule file and checks the outcome's shape and cost. */
  private static void loadsOrReportsPositionedErrors(String text) {
    long thread = Thread.currentThread().getId();
    long allocatedBefore = THREADS.getThreadAllocatedBytes(thread);
    long start = System.nanoTime();
    try {
      LOADER.parse(Map.of("r.yml", text));
    } catch (ConfigException e) {
      assertThat(e.errors()).isNotEmpty()
          .allSatisfy(error -> assertThat(error.toString()).matches("(?s)r\\.yml:[1-9][0-9]*:[1-9][0-9]*: .+"));
    }
    assertThat(System.nanoTime() - start).as("nanoseconds").isLessThan(MAX_NANOS);
    assertThat(THREADS.getThreadAllocatedBytes(thread) - allocatedBefore).as("bytes allocated")
        .isLessThan(MAX_ALLOCATED_BYTES);
  }

  @Property(tries = 300)
  void randomText_loadsOrGivesPositionedErrors(@ForAll @Size(max = 400) String text) {
    loadsOrReportsPositionedErrors(text);
  }

  @Property(tries = 200)
  void randomBytes_loadOrGivePositionedErrors(@ForAll @Size(max = 400) byte[] bytes) throws IOException {
    Path file = Files.createTempFile("rules", ".yml");
    try {
      Files.write(file, bytes);
      try {
        LOADER.load(List.of(file));
      } catch (ConfigException e) {
        assertThat(e.errors()).isNotEmpty().allSatisfy(error -> assertThat(error.toString())
            .matches("(?s)" + Pattern.quote(file.toString()) + ":[1-9][0-9]*:[1-9][0-9]*: .+"));
      }
    } finally {
      Files.delete(file);
    }
  }

  @Property(tries = 400)
  void mutatedSeedRules_loadOrGivePositionedErrors(@ForAll("mutations") List<Tuple.Tuple3<Integer, Integer, String>> edits) {
    StringBuilder text = new StringBuilder(SEED);
    for (Tuple.Tuple3<Integer, Integer, String> edit : edits) {
      int at = Math.floorMod(edit.get1(), text.length() + 1);
      int end = Math.min(text.length(), at + edit.get2());
      text.replace(at, end, edit.get3());
    }
    loadsOrReportsPositionedErrors(text.toString());
  }

  @Provide
  Arbitrary<List<Tuple.Tuple3<Integer, Integer, String>>> mutations() {
    Arbitrary<String> inserted = Arbitraries.oneOf(
        Arbitraries.of(SCALARS),
        Arbitraries.strings().withChars(" \n\t-:#&*!|>[]{},'\"\\%@`$?").ofMaxLength(6),
        Arbitraries.strings().ofMaxLength(4),
        Arbitraries.just(""));
    Arbitrary<Tuple.Tuple3<Integer, Integer, String>> edit = Combinators.combine(
        Arbitraries.integers().between(0, SEED.length()), Arbitraries.integers().between(0, 40), inserted)
        .as(Tuple::of);
    return edit.list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 300)
  void randomStructures_loadOrGivePositionedErrors(@ForAll("documents") String text) {
    loadsOrReportsPositionedErrors(text);
  }

  @Provide
  Arbitrary<String> documents() {
    return node(4).map(n -> n.startsWith("\n") ? n.substring(1) : "x: " + n);
  }

  /** A YAML value in block style (maps and lists on their own lines) or flow style. */
  private Arbitrary<String> node(int depth) {
    Arbitrary<String> scalar = Arbitraries.oneOf(Arbitraries.of(SCALARS), Arbitraries.strings().alpha().ofMaxLength(8),
        Arbitraries.doubles().map(String::valueOf));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> child = Arbitraries.lazy(() -> node(depth - 1));
    Arbitrary<String> blockMap = Combinators.combine(Arbitraries.of(KEYS), child).as((k, v) -> k + ": " + v)
        .list().ofMaxSize(4).map(entries -> "\n" + indent(String.join("\n", entries)));
    Arbitrary<String> blockList = child.list().ofMaxSize(4)
        .map(items -> "\n" + indent(String.join("\n", items.stream().map(i -> "- " + i).toList())));
    Arbitrary<String> flowList = child.filter(c -> !c.contains("\n")).list().ofMaxSize(4)
        .map(items -> "[" + String.join(", ", items) + "]");
    Arbitrary<String> flowMap = Combinators.combine(Arbitraries.of(KEYS), child.filter(c -> !c.contains("\n")))
        .as((k, v) -> k + ": " + v).list().ofMaxSize(3).map(entries -> "{" + String.join(", ", entries) + "}");
    return Arbitraries.frequencyOf(Tuple.of(3, scalar), Tuple.of(3, blockMap), Tuple.of(2, blockList),
        Tuple.of(1, flowList), Tuple.of(1, flowMap));
  }

  private static String indent(String block) {
    return block.lines().map(line -> "  " + line).reduce((a, b) -> a + "\n" + b).orElse("");
  }

  @Property(tries = 5)
  void hugeInputs_areRefusedWithinBounds(@ForAll("hugeInputs") String text) {
    loadsOrReportsPositionedErrors(text);
  }

  @Provide
  Arbitrary<String> hugeInputs() {
    return Arbitraries.of(Set.of(
        "a: " + "[".repeat(50_000),
        "a: \"" + "x".repeat(300_000) + "\"",
        "monitors:\n" + "  - name: n\n    metrics: [up as $up]\n    query: [$up]\n    min_allowed_value: 1\n".repeat(2_000),
        "a: &a [1]\n" + "b: *a\n".repeat(100)));
  }
}
