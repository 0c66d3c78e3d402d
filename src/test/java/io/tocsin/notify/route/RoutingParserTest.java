package io.tocsin.notify.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.yaml.ConfigError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingParserTest {
  private final RoutingYaml yaml = new RoutingYaml();

  @Test
  void children_inheritChannels_butNotTimeIntervals() throws Exception {
    Routing routing = yaml.parse("""
        time_intervals:
          - name: nights
            time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]
        routes:
          - matchers: ['team="db"']
            channels: [chat]
            mute_time_intervals: [nights]
            routes:
              - matchers: ['severity="critical"']
        """, "chat");
    Route child = routing.routes(Map.of("team", "db", "severity", "critical")).get(0);
    assertThat(child.path()).isEqualTo("root/0/0");
    assertThat(child.channels()).containsExactly("chat");
    assertThat(child.muteTimeIntervals()).isEmpty();
    assertThat(routing.root().routes().get(0).muteTimeIntervals()).containsExactly("nights");
  }

  @Test
  void alertmanagersGroupingKeys_areRefusedWithWhatTocsinDoesInstead() {
    assertThat(yaml.errors("""
        routes:
          - matchers: ['team="db"']
            group_by: [cluster]
            group_wait: 30s
            group_interval: 5m
            repeat_interval: 4h
        """)).containsExactly(
        "rules.yml:3:5: group_by on routes is not supported yet: alerts are grouped per monitor: one message per "
            + "monitor evaluation and channel",
        "rules.yml:4:5: group_wait on routes is not supported yet: a monitor's alerts go out when its evaluation ends; "
            + "for_duration delays the first",
        "rules.yml:5:5: group_interval on routes is not supported yet: a monitor's changes go out at its next "
            + "evaluation, every grouping_interval",
        "rules.yml:6:5: repeat_interval on routes is not supported yet: set repeat_interval on the monitor");
  }

  @Test
  void mistakes_areErrorsAtTheirPosition() {
    List<String> errors = yaml.errors("""
        routes:
          - matchers: ['severity=~"(critical"', 'node']
            channels: [pagr]
            mute_time_intervals: [weekend]
            group_by: [cluster]
            routes: {matchers: []}
            contine: true
        inhibit_rules:
          - equal: [node]
        """, "pager", "chat");
    assertThat(errors).containsExactly(
        "rules.yml:2:16: matchers: invalid regular expression \"(critical\" for label \"severity\": missing closing ) "
            + "at character 1",
        "rules.yml:2:41: matchers: cannot parse matcher 'node': expected a label name, an operator (=, !=, =~, !~) "
            + "and a value, e.g. node=~\"n[12]\"",
        "rules.yml:3:15: unknown channel \"pagr\", did you mean 'pager'?",
        "rules.yml:4:26: unknown time interval \"weekend\": define it under time_intervals:",
        "rules.yml:5:5: group_by on routes is not supported yet: alerts are grouped per monitor: one message per "
            + "monitor evaluation and channel",
        "rules.yml:6:13: routes must be a list, got a mapping",
        "rules.yml:7:5: unknown key \"contine\" in route, did you mean 'continue'?",
        "rules.yml:9:5: an inhibit rule needs source_matchers and target_matchers; without them it would mute every "
            + "alert");
  }

  @Test
  void aRouteAfterACatchAll_andAnUnusedChannel_areWarnings() throws Exception {
    yaml.parse("""
        routes:
          - matchers: ['severity="critical"']
            channels: [pager]
          - channels: [chat]
          - matchers: ['team="db"']
            channels: [db]
        """, "pager", "chat", "db", "email");
    assertThat(yaml.warnings).extracting(ConfigError::toString).containsExactly(
        "rules.yml:5:5: route root/2 is never reached: route root/1 (rules.yml:4:5) matches every alert and has no "
            + "continue: true",
        "rules.yml:2:5: channel \"email\" is not used by any route or monitor");
  }

  @Test
  void aRouteWithoutChannels_sendsWhereItsParentDoes_soNoChannelIsUnused() throws Exception {
    yaml.parse("""
        routes:
          - matchers: ['severity="critical"']
        """, "pager", "chat");
    assertThat(yaml.warnings).isEmpty();
  }
}
