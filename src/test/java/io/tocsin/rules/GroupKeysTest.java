package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.Labels;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Query results' group labels shared by instance, across results and cycles, and forgotten when too many. */
class GroupKeysTest {
  private static Map<Labels, double[]> result(String... nodes) {
    Map<Labels, double[]> groups = new TreeMap<>();
    for (String node : nodes) {
      groups.put(Labels.of("node", node), new double[] {1});
    }
    return groups;
  }

  @Test
  void rows_areTheResultsGroupsInOrder_withOneLabelsInstancePerLabelSet() {
    GroupKeys keys = new GroupKeys();
    Map<Labels, double[]> first = result("n1", "n2");
    Map<Labels, double[]> second = result("n2", "n3");

    GroupKeys.Rows a = keys.cycle().rows(first);
    GroupKeys.Rows b = keys.cycle().rows(second);

    assertThat(a.labels()).containsExactly(Labels.of("node", "n1"), Labels.of("node", "n2"));
    assertThat(a.values()[1]).isSameAs(first.get(Labels.of("node", "n2")));
    assertThat(b.labels()[0]).isSameAs(a.labels()[1]);
  }

  @Test
  void rows_ofOneResult_areMadeOncePerCycle() {
    GroupKeys.Cycle cycle = new GroupKeys().cycle();
    Map<Labels, double[]> groups = result("n1");

    assertThat(cycle.rows(groups)).isSameAs(cycle.rows(groups));
  }

  @Test
  void trim_forgetsEveryLabelSet_onlyAboveTheBound() {
    GroupKeys keys = new GroupKeys();
    Labels n1 = keys.canonical(Labels.of("node", "n1"));
    keys.canonical(Labels.of("node", "n2"));

    keys.trim(2);
    assertThat(keys.canonical(Labels.of("node", "n1"))).isSameAs(n1);
    keys.canonical(Labels.of("node", "n3"));
    keys.trim(2);
    assertThat(keys.canonical(Labels.of("node", "n1"))).isNotSameAs(n1).isEqualTo(n1);
  }
}
