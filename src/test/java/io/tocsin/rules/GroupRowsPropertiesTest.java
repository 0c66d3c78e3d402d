package io.tocsin.rules;

import static io.tocsin.rules.RuntimeFixture.minute;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.query.eval.EvaluationCache;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A monitor finds the slot of each result row by the row's shared labels instance as the last
 * cycle left it ({@link MonitorGroups#atRow}); it must step exactly as a monitor that looks every
 * group up by its labels. Groups come and go at random, so rows shift, groups are dropped after
 * no_data and come back at the row where another group was.
 */
class GroupRowsPropertiesTest {
  private static final int NODES = 6;
  private static final int MINUTES = 30;

  /**
   * {@code cells[m * NODES + n]}: node n's sample in minute m: 0 none, 1 breaching, 2 fine. The
   * first node sorts first, so a node that appears moves every later row.
   */
  @Property(tries = 60)
  void rememberedRows_stepLikeGroupsLookedUpByLabels(@ForAll("cells") List<Integer> cells) throws Exception {
    RuntimeFixture fixture = new RuntimeFixture();
    for (int m = 0; m < MINUTES; m++) {
      for (int n = 0; n < NODES; n++) {
        int cell = cells.get(m * NODES + n);
        if (cell > 0) {
          long t = minute(m) + 30_000;
          double value = cell == 1 ? 0 : 1;
          fixture.store.write("up", MetricKind.GAUGE, Labels.of("node", "n" + n), s -> s.append(t, value));
        }
      }
    }
    String yaml = """
        monitors:
          - name: up
            metrics: [up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: 2m
            evaluation_delay: 0s
        """;
    MonitorRuntime remembering = RuntimeFixture.runtime(yaml);
    MonitorRuntime lookingUp = RuntimeFixture.runtime(yaml);
    GroupKeys keys = new GroupKeys(); // kept across cycles: rows hold the same instances
    for (int m = 1; m <= MINUTES; m++) {
      fixture.clock.set(Instant.ofEpochMilli(minute(m)));
      EvaluationCache cache = new EvaluationCache();
      List<AlertEvent> remembered = remembering.evaluate(fixture.evaluator, cache, keys.cycle(), minute(m),
          Downtime.NONE);
      // New label instances every cycle: no row is found by reference.
      List<AlertEvent> lookedUp = lookingUp.evaluate(fixture.evaluator, cache, new GroupKeys().cycle(), minute(m),
          Downtime.NONE);
      assertThat(remembered).as("events at minute %d", m).isEqualTo(lookedUp);
      assertThat(remembering.snapshot().groups()).as("groups at minute %d", m)
          .isEqualTo(lookingUp.snapshot().groups());
    }
  }

  @Provide
  Arbitrary<List<Integer>> cells() {
    return Arbitraries.integers().between(0, 2).list().ofSize(MINUTES * NODES);
  }
}
