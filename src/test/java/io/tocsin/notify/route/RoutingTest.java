package io.tocsin.notify.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing tree against label sets, by hand and against Alertmanager's own amtool. */
class RoutingTest {
  private static final String[] CHANNELS = {"default", "pager", "db-chat", "db-oncall", "db-quiet", "web-chat",
      "api-chat", "api-latency", "staging"};

  /** The tree in Tocsin's form: one top-level route without matchers plays Alertmanager's root. */
  private static final String TOCSIN = """
      routes:
        - channels: [default]
          routes:
            - matchers: ['severity="critical"']
              channels: [pager]
              continue: true
            - matchers: ['team="db"']
              channels: [db-chat]
              routes:
                - matchers: ['node=~"n[12]"']
                  channels: [db-oncall]
                - matchers: ['severity="warning"', 'env!="prod"']
                  channels: [db-quiet]
            - matchers: ['team=~"web|api"']
              channels: [web-chat]
              continue: true
            - matchers: ['team="api"']
              channels: [api-chat]
              routes:
                - matchers: ['monitor="Latency high"']
                  channels: [api-latency]
            - match: {env: staging}
              channels: [staging]
      """;

  /** The same tree as an Alertmanager configuration. */
  private static final String ALERTMANAGER = """
      route:
        receiver: default
        routes:
          - matchers: ['severity="critical"']
            receiver: pager
            continue: true
          - matchers: ['team="db"']
            receiver: db-chat
            routes:
              - matchers: ['node=~"n[12]"']
                receiver: db-oncall
              - matchers: ['severity="warning"', 'env!="prod"']
                receiver: db-quiet
          - matchers: ['team=~"web|api"']
            receiver: web-chat
            continue: true
          - matchers: ['team="api"']
            receiver: api-chat
            routes:
              - matchers: ['alertname="Latency high"']
                receiver: api-latency
          - match: {env: staging}
            receiver: staging
      receivers:
      """ + Arrays.stream(CHANNELS).map(c -> "  - name: " + c + "\n").collect(Collectors.joining());

  /** Label sets and the channels each reaches, worked out by hand from the tree above. */
  private static final Map<String, String> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("severity=critical team=db node=n1", "pager,db-oncall");
    EXPECTED.put("severity=critical team=db node=n3", "pager,db-chat");
    EXPECTED.put("severity=warning team=db node=n3 env=dev", "db-quiet");
    EXPECTED.put("severity=warning team=db node=n3 env=prod", "db-chat");
    EXPECTED.put("severity=warning team=db node=n2 env=dev", "db-oncall");
    EXPECTED.put("team=web", "web-chat");
    EXPECTED.put("team=api", "web-chat,api-chat");
    EXPECTED.put("team=api alertname=Latency_high", "web-chat,api-latency");
    EXPECTED.put("team=api severity=critical", "pager,web-chat,api-chat");
    EXPECTED.put("env=staging", "staging");
    EXPECTED.put("env=staging team=web", "web-chat,staging");
    EXPECTED.put("foo=bar", "default");
    EXPECTED.put("", "default");
    EXPECTED.put("severity=critical", "pager");
    EXPECTED.put("team=db env=staging", "db-chat");
    EXPECTED.put("team=dbx", "default");
    EXPECTED.put("team=web alertname=Latency_high", "web-chat");
    EXPECTED.put("node=n1", "default");
    EXPECTED.put("severity=critical env=staging", "pager,staging");
    EXPECTED.put("team=api env=staging alertname=Latency_high severity=critical", "pager,web-chat,api-latency");
  }

  /** {@code a=b c=d}, with {@code _} standing for a space in values. */
  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String pair : text.split(" ")) {
      if (!pair.isEmpty()) {
        String[] kv = pair.split("=", 2);
        labels.put(kv[0], kv[1].replace('_', ' '));
      }
    }
    return labels;
  }

  private static String channels(Routing routing, Map<String, String> labels) {
    return routing.routes(labels).stream().flatMap(r -> r.channels().stream()).collect(Collectors.joining(","));
  }

  @Test
  void routes_takeTheChannelsWorkedOutByHand() throws Exception {
    Routing routing = new RoutingYaml().parse(TOCSIN, CHANNELS);
    Map<String, String> actual = new LinkedHashMap<>();
    EXPECTED.keySet().forEach(text -> actual.put(text, channels(routing, labels(text))));
    assertThat(actual).containsExactlyEntriesOf(EXPECTED);
  }

  @Test
  void routes_answerAsAmtoolDoesForTheSameTreeAsAnAlertmanagerConfig(@TempDir Path dir) throws Exception {
    Path amtool = Path.of("/usr/bin/amtool");
    Assumptions.assumeTrue(Files.isExecutable(amtool),
        "amtool is not installed (Debian package prometheus-alertmanager): the comparison with Alertmanager is skipped");
    Path config = Files.writeString(dir.resolve("alertmanager.yml"), ALERTMANAGER);
    Routing routing = new RoutingYaml().parse(TOCSIN, CHANNELS);
    for (String text : EXPECTED.keySet()) {
      assertThat(channels(routing, labels(text))).as(text).isEqualTo(amtool(amtool, config, labels(text)));
    }
  }

  private static String amtool(Path amtool, Path config, Map<String, String> labels)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(amtool.toString(), "config", "routes", "test",
        "--config.file=" + config));
    labels.forEach((k, v) -> command.add(k + "=\"" + v + "\""));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("amtool finished").isTrue();
    return out;
  }

  @Test
  void aMonitorsOwnChannels_comeFirstAndStopThere() throws Exception {
    Routing routing = new RoutingYaml().parse(TOCSIN,
        List.of(new RoutingParser.MonitorChannels("latency-high", "Latency high", List.of("pager"), null)), CHANNELS);
    assertThat(channels(routing, labels("alertname=Latency_high team=api"))).isEqualTo("pager");
    assertThat(channels(routing, labels("alertname=Other team=api"))).isEqualTo("web-chat,api-chat");
  }

  @Test
  void withoutRoutes_everyAlertGoesToEveryChannel() {
    assertThat(Routing.DEFAULT.channels(labels("alertname=x"), List.of("a", "b"))).containsExactly("a", "b");
  }
}
