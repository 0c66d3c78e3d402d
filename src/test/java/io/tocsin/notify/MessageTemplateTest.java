package io.tocsin.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.rules.AlertEvent;
import io.tocsin.testing.ChannelTestData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageTemplateTest {
  private static final String HOSTILE = TemplateFixtures.HOSTILE;

  private static Notification notification() {
    return TemplateFixtures.notification();
  }

  @Test
  void render_exposesTheDocumentedModel() throws Exception {
    MessageTemplate t = MessageTemplate.compile("""
        {{status}} {{severity}} {{monitor.name}} ({{count}}: {{firing_count}} firing, {{resolved_count}} resolved)
        {{#firing}}- {{state}} {{labels_text}} value {{value}} < {{threshold}} {{since}}
        {{/firing}}{{#resolved}}- {{state}} {{labels.node}} after {{fired_for}}
        {{/resolved}}{{link}}""", TemplateFormat.PLAIN);

    assertThat(t.render(notification())).isEqualTo("""
        firing critical Shard is down (2: 1 firing, 1 resolved)
        - FIRING {node="<b>n1</b> & *bold* <!channel> \\"q\\" 'a'"} value 0 < 1 breaching since 2026-03-01 12:00:00 UTC, firing \
        since 2026-03-01 12:05:00 UTC
        - RESOLVED n2 after 1h
        http://tocsin.example/monitors/shard-is-down""");
  }

  @Test
  void render_aGroupSpanningMonitors_namesEachAlertsMonitorAndTheGroupsLabels() throws Exception {
    MessageTemplate t = MessageTemplate.compile("""
        {{monitor.name}} [{{monitor.id}}] {{#group_labels_list}}{{name}}={{value}} {{/group_labels_list}}{{link}}
        {{#alerts}}- {{monitor}} {{labels_text}} {{state}} {{value}}
        {{/alerts}}""", TemplateFormat.PLAIN);

    assertThat(t.render(ChannelTestData.grouped("ops"))).isEqualTo("""
        Redis shard is down, Redis hit rate {cluster="c1"} [] cluster=c1 http://tocsin.example/#alerts
        - Redis shard is down {node="n1"} FIRING 0
        - Redis hit rate {node="n2"} RESOLVED 93%
        """);
  }

  @Test
  void aJsonBody_escapesInsertedValuesAsJsonStrings_andPlainTextInsertsThemAsTheyAre() throws Exception {
    assertThat(MessageTemplate.compile("{\"node\": \"{{#firing}}{{labels.node}}{{/firing}}\"}", TemplateFormat.JSON)
        .render(notification())).isEqualTo("{\"node\": \"<b>n1</b> & *bold* <!channel> \\\"q\\\" 'a'\"}");
    assertThat(MessageTemplate.compile("{{#firing}}{{labels.node}}{{/firing}}", TemplateFormat.PLAIN)
        .render(notification())).isEqualTo(HOSTILE);
  }

  @Test
  void render_withLevels_givesEachAlertItsSeverity_asAFieldAndALabel() throws Exception {
    Alert escalated = new Alert(AlertEvent.Type.ESCALATED, Map.of("node", "n1"), Map.of(), 0.2, 0.5, 1, 2, 0, 3,
        "f", "", "critical");
    Notification n = new Notification("1", "chat", "hit-rate", "Hit rate", Map.of(), "", "", List.of(escalated), 3,
        false);

    assertThat(MessageTemplate.compile("{{severity}}: {{#alerts}}{{state}} {{severity}} {{labels.severity}} "
        + "{{labels_text}}{{/alerts}}", TemplateFormat.PLAIN).render(n))
        .isEqualTo("critical: ESCALATED to critical critical critical {node=\"n1\", severity=\"critical\"}");
  }

  @Test
  void labelLists_iterateInNameOrder() throws Exception {
    MessageTemplate t = MessageTemplate.compile("{{#common_labels_list}}{{name}}={{value}};{{/common_labels_list}}",
        TemplateFormat.PLAIN);
    assertThat(t.render(notification())).isEqualTo("alertname=Shard is down;severity=critical;");
  }

  @Test
  void compile_anUnclosedSection_failsWithItsLine() {
    assertThatThrownBy(() -> MessageTemplate.compile("first line\n{{#firing}}\n{{labels.node}}", TemplateFormat.PLAIN))
        .isInstanceOfSatisfying(TemplateException.class, e -> {
          assertThat(e.line()).as("where the section opens").isEqualTo(2);
          assertThat(e.getMessage()).isEqualTo("invalid template: Failed to close 'firing' tag");
        });
  }

  @Test
  void compile_mismatchedTags_sayWhichWithoutTheLibrarysPositionSuffix() {
    assertThatThrownBy(() -> MessageTemplate.compile("a\n{{#firing}}{{/resolved}}", TemplateFormat.PLAIN))
        .isInstanceOfSatisfying(TemplateException.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.getMessage()).isEqualTo("invalid template: Mismatched start/end tags: firing != resolved");
        });
  }
}
