package io.tocsin.notify;

import io.tocsin.notify.route.InhibitRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The firing alerts that can inhibit others, indexed per {@link InhibitRule} by the values of its
 * {@code equal} labels, so that asking whether an alert is inhibited costs one lookup per rule
 * however many alerts fire. Kept from the events that pass through the dispatcher (firing and
 * repeat add an alert, resolved removes it) and seeded with the alerts already firing at start.
 *
 * <p>Thread-safe.
 */
final class Inhibitions {
  private final Map<String, Map<String, String>> firing = new HashMap<>();
  /** Alerts whose firing was not sent because it was inhibited: their resolution is not news either. */
  private final Set<String> unsent = new HashSet<>();
  private List<InhibitRule> rules = List.of();
  /** Per rule: for each combination of {@code equal} values, how many firing alerts are its sources. */
  private List<Map<List<String>, Integer>> sources = List.of();

  synchronized void rules(List<InhibitRule> rules) {
    this.rules = List.copyOf(rules);
    List<Map<List<String>, Integer>> index = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      index.add(new HashMap<>());
    }
    this.sources = index;
    firing.values().forEach(labels -> count(labels, 1));
  }

  synchronized void firing(String fingerprint, Map<String, String> labels) {
    Map<String, String> before = firing.put(fingerprint, labels);
    if (before != null) {
      count(before, -1);
    }
    count(labels, 1);
  }

  /** Forgets a resolved alert; true when its firing was inhibited, so that its resolution is not sent. */
  synchronized boolean resolved(String fingerprint) {
    Map<String, String> before = firing.remove(fingerprint);
    if (before != null) {
      count(before, -1);
    }
    return unsent.remove(fingerprint);
  }

  private void count(Map<String, String> labels, int delta) {
    for (int i = 0; i < rules.size(); i++) {
      InhibitRule rule = rules.get(i);
      if (rule.isSource(labels)) {
        sources.get(i).merge(key(rule, labels), delta, (a, b) -> a + b == 0 ? null : a + b);
      }
    }
  }

  /**
   * Decides, when the alert's firing or repeat is about to be sent, whether it is inhibited (see
   * {@link #inhibitedBy}), and remembers the answer for its resolution.
   */
  synchronized String decide(String fingerprint, Map<String, String> labels) {
    String inhibitor = inhibitedBy(fingerprint, labels);
    if (inhibitor != null) {
      unsent.add(fingerprint);
    } else {
      unsent.remove(fingerprint);
    }
    return inhibitor;
  }

  /**
   * Why the alert {@code fingerprint} with {@code labels} is inhibited now (the rule and the values
   * it shares with its source), or null when it is not. An alert that is itself a source needs
   * another source. Changes nothing.
   */
  synchronized String inhibitedBy(String fingerprint, Map<String, String> labels) {
    for (int i = 0; i < rules.size(); i++) {
      InhibitRule rule = rules.get(i);
      if (!rule.targetMatchers().stream().allMatch(m -> m.matches(labels))) {
        continue;
      }
      List<String> key = key(rule, labels);
      int count = sources.get(i).getOrDefault(key, 0);
      boolean countsItself = firing.containsKey(fingerprint) && rule.isSource(labels);
      if (count > (countsItself ? 1 : 0)) {
        return "inhibit rule at " + rule.mark() + describe(rule, key);
      }
    }
    return null;
  }

  private static String describe(InhibitRule rule, List<String> key) {
    if (rule.equal().isEmpty()) {
      return "";
    }
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < key.size(); i++) {
      pairs.add(rule.equal().get(i) + "=\"" + key.get(i) + "\"");
    }
    return " (same " + String.join(", ", pairs) + ")";
  }

  private static List<String> key(InhibitRule rule, Map<String, String> labels) {
    List<String> key = new ArrayList<>(rule.equal().size());
    for (String name : rule.equal()) {
      key.add(labels.getOrDefault(name, ""));
    }
    return key;
  }
}
