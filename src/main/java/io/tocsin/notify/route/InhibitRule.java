package io.tocsin.notify.route;

import io.tocsin.notify.silence.Matcher;
import io.tocsin.yaml.Mark;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Alertmanager's inhibition: while an alert matching the source matchers fires, alerts matching
 * the target matchers that have the same values for every {@code equal} label are muted (a label
 * missing on both sides counts as equal, as in Alertmanager). An alert never inhibits itself,
 * so a rule whose source and target overlap does not silence its own source.
 *
 * <p>Immutable.
 */
public final class InhibitRule {
  private final Mark mark;
  private final List<Matcher> sourceMatchers;
  private final List<Matcher> targetMatchers;
  private final List<String> equal;

  InhibitRule(Mark mark, List<Matcher> sourceMatchers, List<Matcher> targetMatchers, List<String> equal) {
    this.mark = mark;
    this.sourceMatchers = List.copyOf(sourceMatchers);
    this.targetMatchers = List.copyOf(targetMatchers);
    this.equal = List.copyOf(equal);
  }

  /**
   * The firing alert of {@code firing} that inhibits the alert with {@code target} labels, or null
   * when none does.
   */
  public Map<String, String> inhibitor(Map<String, String> target, Collection<Map<String, String>> firing) {
    if (!all(targetMatchers, target)) {
      return null;
    }
    for (Map<String, String> source : firing) {
      if (!source.equals(target) && all(sourceMatchers, source) && sameEqualLabels(source, target)) {
        return source;
      }
    }
    return null;
  }

  /** Whether a firing alert with these labels can inhibit others by this rule. */
  public boolean isSource(Map<String, String> labels) {
    return all(sourceMatchers, labels);
  }

  private boolean sameEqualLabels(Map<String, String> source, Map<String, String> target) {
    for (String name : equal) {
      if (!Objects.equals(source.getOrDefault(name, ""), target.getOrDefault(name, ""))) {
        return false;
      }
    }
    return true;
  }

  private static boolean all(List<Matcher> matchers, Map<String, String> labels) {
    for (Matcher m : matchers) {
      if (!m.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  public Mark mark() {
    return mark;
  }

  public List<Matcher> sourceMatchers() {
    return sourceMatchers;
  }

  public List<Matcher> targetMatchers() {
    return targetMatchers;
  }

  public List<String> equal() {
    return equal;
  }
}
