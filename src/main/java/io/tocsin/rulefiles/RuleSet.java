package io.tocsin.rulefiles;

import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.rules.MonitorDefinition;
import java.time.Duration;
import java.util.List;

/** The monitors and channels of all rule files, checked together. */
public record RuleSet(List<MonitorDefinition> monitors, List<ChannelDeclaration> channels) {
  public static final RuleSet EMPTY = new RuleSet(List.of(), List.of());

  /** The longest stretch of data any monitor reads: the store must keep at least this much. */
  public Duration longestWindow() {
    return monitors.stream().map(MonitorDefinition::window).max(Duration::compareTo).orElse(Duration.ZERO);
  }
}
