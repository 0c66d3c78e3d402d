package io.tocsin.rulefiles;

import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.notify.route.Routing;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.yaml.ConfigError;
import java.time.Duration;
import java.util.List;

/**
 * The monitors, channels and routing of all rule files, checked together; {@code warnings} are
 * things that work but are probably mistakes (a route no alert reaches, a channel no route uses).
 */
public record RuleSet(List<MonitorDefinition> monitors, List<ChannelDeclaration> channels, Routing routing,
    List<ConfigError> warnings) {
  public static final RuleSet EMPTY = new RuleSet(List.of(), List.of(), Routing.DEFAULT, List.of());

  /** The longest stretch of data any monitor reads: the store must keep at least this much. */
  public Duration longestWindow() {
    return monitors.stream().map(MonitorDefinition::window).max(Duration::compareTo).orElse(Duration.ZERO);
  }
}
