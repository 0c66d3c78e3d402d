package io.tocsin.ruletest;

import io.tocsin.rules.GroupState;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.store.Labels;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@code query_test}: the value of each of a monitor's groups in the last bucket evaluated at
 * an eval time, the value the thresholds were compared with. Like promtool's {@code exp_samples},
 * the groups listed must be exactly the groups with a value; a group whose last bucket had none
 * is not listed.
 */
final class ValueCheck {
  private ValueCheck() {}

  static void compare(RuleTestFile.ValueTest check, MonitorEngine engine, List<String> failures) {
    String at = "at " + RuleTestFile.format(check.evalTime()) + ", monitor \"" + check.monitor() + "\" values";
    Optional<MonitorStatus> status = RuleTestRunner.monitor(engine, check.monitor(), at, failures);
    if (status.isEmpty()) {
      return;
    }
    Map<Labels, Double> actual = new TreeMap<>(ValueCheck::byText);
    for (GroupState g : status.get().groups()) {
      if (!Double.isNaN(g.value())) {
        actual.put(g.labels(), g.value());
      }
    }
    Map<Labels, Double> expected = new TreeMap<>(ValueCheck::byText);
    check.values().forEach(v -> expected.put(Labels.of(v.labels()), v.value()));
    boolean same = expected.keySet().equals(actual.keySet()) && expected.entrySet().stream()
        .allMatch(e -> close(e.getValue(), actual.get(e.getKey()), check.tolerance()));
    if (!same) {
      StringBuilder diff = new StringBuilder(at + ":");
      diff.append("\n    expected:");
      RuleTestRunner.appendAll(diff, expected.entrySet().stream().map(e -> e.getKey() + " " + format(e.getValue())).toList());
      diff.append("\n    got:");
      RuleTestRunner.appendAll(diff, actual.entrySet().stream().map(e -> e.getKey() + " " + format(e.getValue())).toList());
      failures.add(diff.toString());
    }
  }

  /**
   * Equal within {@code tolerance} of the larger magnitude, and within {@code tolerance} itself
   * near zero, where a relative tolerance would ask for exact equality.
   */
  static boolean close(double expected, double actual, double tolerance) {
    if (expected == actual) {
      return true;
    }
    double scale = Math.max(1, Math.max(Math.abs(expected), Math.abs(actual)));
    return Math.abs(expected - actual) <= tolerance * scale;
  }

  private static int byText(Labels a, Labels b) {
    return a.toString().compareTo(b.toString());
  }

  /** Every digit, so that a value just outside the tolerance does not print like the expected one. */
  private static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
