package io.tocsin.notify.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.yaml.ConfigError;
import java.time.Duration;
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
  void groupingSettings_areInheritedOneByOne_withAlertmanagersDefaults() throws Exception {
    Routing routing = yaml.parse("""
        routes:
          - matchers: ['team="db"']
            channels: [chat]
            group_by: [cluster, monitor]
            group_wait: 10s
            routes:
              - matchers: ['severity="critical"']
                repeat_interval: 1h
              - matchers: ['severity="warning"']
          - matchers: ['team="web"']
            channels: [chat]
            group_by: ['...']
          - matchers: ['team="ops"']
            channels: [chat]
        """, "chat");
    Route db = routing.route("root/0");
    assertThat(db.grouping()).isEqualTo(new Grouping(List.of("cluster", "alertname"), false, Duration.ofSeconds(10),
        Duration.ofMinutes(5), Duration.ofHours(4)));
    assertThat(routing.route("root/0/0").grouping()).isEqualTo(new Grouping(List.of("cluster", "alertname"), false,
        Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofHours(1)));
    assertThat(routing.route("root/0/1").grouping()).isEqualTo(db.grouping());
    assertThat(routing.route("root/1").grouping()).isEqualTo(new Grouping(List.of(), true, Duration.ofSeconds(30),
        Duration.ofMinutes(5), Duration.ofHours(4)));
    assertThat(routing.route("root/1").grouping().groupLabels(Map.of("a", "1", "b", "2")))
        .isEqualTo(Map.of("a", "1", "b", "2"));
    assertThat(db.grouping().groupLabels(Map.of("alertname", "Down", "node", "n1")))
        .isEqualTo(Map.of("alertname", "Down"));
    assertThat(routing.route("root/2").grouping()).isNull();
    assertThat(routing.root().grouping()).isNull();
  }

  @Test
  void aRouteSettingOnlyRepeatInterval_aggregatesInOneGroup() throws Exception {
    Routing routing = yaml.parse("""
        routes:
          - channels: [chat]
            repeat_interval: 30m
        """, "chat");
    assertThat(routing.route("root/0").grouping()).isEqualTo(new Grouping(List.of(), false, Duration.ofSeconds(30),
        Duration.ofMinutes(5), Duration.ofMinutes(30)));
    assertThat(routing.route("root/0").grouping().groupLabels(Map.of("node", "n1"))).isEmpty();
  }

  @Test
  void badGroupingSettings_areErrorsAtTheirPosition() {
    assertThat(yaml.errors("""
        routes:
          - matchers: ['team="db"']
            group_by: ['...', cluster]
            group_wait: soon
            group_interval: 0s
            repeat_interval: 0m
        """)).containsExactly(
        "rules.yml:3:15: group_by: '...' groups by every label and cannot be combined with other labels",
        "rules.yml:4:17: route.group_wait: invalid duration \"soon\"; expected e.g. 30s, 5m, 1h30m",
        "rules.yml:5:21: group_interval must be longer than 0s",
        "rules.yml:6:22: repeat_interval must be longer than 0s");
  }

  @Test
  void mistakes_areErrorsAtTheirPosition() {
    List<String> errors = yaml.errors("""
        routes:
          - matchers: ['severity=~"(critical"', 'node']
            channels: [pagr]
            mute_time_intervals: [weekend]
            group_by: {cluster: 1}
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
        "rules.yml:5:15: route.group_by must be a list of strings, got a mapping",
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
