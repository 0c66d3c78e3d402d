package io.tocsin.notify;

import io.tocsin.rules.AlertEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A notification whose label values carry markup of every channel format, and templates over it. */
public final class TemplateFixtures {
  public static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
  /** HTML, mrkdwn, a Slack mention, quotes and an ampersand. */
  public static final String HOSTILE = "<b>n1</b> & *bold* <!channel> \"q\" 'a'";

  private TemplateFixtures() {}

  /** One alert firing on the hostile node, one resolved on n2, of "Shard is down" (severity critical). */
  public static Notification notification() {
    Alert down = new Alert(AlertEvent.Type.FIRING, Map.of("node", HOSTILE),
        Map.of("summary", "shard " + HOSTILE + " is down"), 0, 1, T0, T0 + 300_000, 0, T0 + 300_000, "fp1", "");
    Alert back = new Alert(AlertEvent.Type.RESOLVED, Map.of("node", "n2"), Map.of("summary", "shard n2 is down"), 1,
        1, T0, T0 + 60_000, T0 + 3_660_000, T0 + 3_660_000, "fp2", "");
    return new Notification("id1", "chat", "shard-is-down", "Shard is down", Map.of("severity", "critical"), "",
        "http://tocsin.example/monitors/shard-is-down", List.of(down, back), T0, false);
  }

  /** Title and text templates of channel {@code chat}; null for none. */
  public static ChannelTemplates templates(String title, String text) throws TemplateException {
    return new ChannelTemplates("chat", title == null ? null : MessageTemplate.compile(title, TemplateFormat.PLAIN),
        text == null ? null : MessageTemplate.compile(text, TemplateFormat.PLAIN));
  }

  /** The title and text the template tests use: a severity prefix, and one line per firing alert. */
  public static ChannelTemplates standard() throws TemplateException {
    return templates("{{severity}}: {{monitor.name}} on {{#firing}}{{labels.node}}{{/firing}}",
        "{{#firing}}{{labels.node}} is at {{value}}{{/firing}}\nback: {{#resolved}}{{labels.node}}{{/resolved}}");
  }
}
