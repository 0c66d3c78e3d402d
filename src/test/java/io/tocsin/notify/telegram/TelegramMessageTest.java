package io.tocsin.notify.telegram;

import static io.tocsin.notify.telegram.Fixtures.LINK;
import static io.tocsin.notify.telegram.Fixtures.T0;
import static io.tocsin.notify.telegram.Fixtures.firing;
import static io.tocsin.notify.telegram.Fixtures.notification;
import static io.tocsin.notify.telegram.Fixtures.resolved;
import static io.tocsin.notify.telegram.Fixtures.telegramText;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.Alert;
import io.tocsin.notify.Notification;
import io.tocsin.rules.AlertEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelegramMessageTest {

  @Test
  void format_firingAndResolved_listsEachWithItsState() {
    Notification n = notification(List.of(
        firing(Map.of("node", "n1"), Map.of("summary", "Shard n1 is down", "description", "It stopped answering pings.",
            "runbook_url", "https://runbooks.example/redis")),
        resolved(Map.of("node", "n2"))));

    String html = TelegramMessage.format(n);

    assertThat(html).isEqualTo("""
        <b>[FIRING:1, RESOLVED:1] Redis shard is down</b>

        <b>FIRING</b> <code>{node="n1"}</code>
        value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC
        Shard n1 is down
        <i>It stopped answering pings.</i>
        <a href="https://runbooks.example/redis">Runbook</a>

        <b>RESOLVED</b> <code>{node="n2"}</code>
        resolved at 2026-03-01 12:00:00 UTC after firing for 5m (value 1)

        <a href="http://tocsin.example/monitors/redis-shard-is-down">Open in Tocsin</a>""");
    telegramText(html);
  }

  @Test
  void format_repeatWithUnitAndMonitorLabels_saysStillFiring() {
    Alert repeat = new Alert(AlertEvent.Type.REPEAT, Map.of("disk", "sda"), Map.of(), 97.5, 90, T0 - 3_600_000,
        T0 - 3_000_000, 0, T0, "fp", "");
    Notification n = new Notification("n-2", "ops-telegram", "disk-full", "Disk full", Map.of("team", "storage"), "%",
        "http://tocsin.example/monitors/disk-full", List.of(repeat), T0, false);

    assertThat(TelegramMessage.format(n)).isEqualTo("""
        <b>[FIRING] Disk full {disk="sda"}</b>
        Monitor labels: <code>{team="storage"}</code>

        <b>STILL FIRING</b> <code>{disk="sda"}</code>
        value 97.5% is above the maximum 90%, breaching since 2026-03-01 11:00:00 UTC, firing since 2026-03-01 11:10:00 UTC

        <a href="http://tocsin.example/monitors/disk-full">Open in Tocsin</a>""");
  }

  @Test
  void format_testMessage_isMarkedAndSkipsMadeUpValues() {
    Alert alert = new Alert(AlertEvent.Type.FIRING, Map.of("channel", "ops-telegram"),
        Map.of("summary", "A test message from Tocsin: this channel works."), 1, 0, T0, T0, 0, T0, "test-ops", "");
    Notification n = new Notification("n-3", "ops-telegram", "test", "Tocsin test notification", Map.of(), "",
        "http://tocsin.example/", List.of(alert), T0, true);

    assertThat(TelegramMessage.format(n)).isEqualTo("""
        <b>[TEST] Tocsin test notification</b>
        <i>A test message sent on request: nothing is wrong.</i>

        <b>TEST</b> <code>{channel="ops-telegram"}</code>
        A test message from Tocsin: this channel works.

        <a href="http://tocsin.example/">Open in Tocsin</a>""");
  }

  @Test
  void format_hostileLabelsAndAnnotations_areEscaped() {
    Alert alert = firing(Map.of("node", "</code><b>\"x\"</b> & co"), Map.of(
        "summary", "<script>alert(1)</script> &amp;",
        "description", "</i>5 > 3 & 2 < 4",
        "runbook_url", "https://x.example/?a=1&b=\"><i>"));
    Notification n = new Notification("n-4", "ops-telegram", "m", "<Redis> & \"shards\"", Map.of("t", "<&>"), "",
        "http://tocsin.example/monitors/m?x=\"'<>&", List.of(alert), T0, false);

    String html = TelegramMessage.format(n);

    assertThat(html).isEqualTo("""
        <b>[FIRING] &lt;Redis&gt; &amp; "shards" {node="&lt;/code&gt;&lt;b&gt;\\"x\\"&lt;/b&gt; &amp; co"}</b>
        Monitor labels: <code>{t="&lt;&amp;&gt;"}</code>

        <b>FIRING</b> <code>{node="&lt;/code&gt;&lt;b&gt;\\"x\\"&lt;/b&gt; &amp; co"}</code>
        value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC
        &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;
        <i>&lt;/i&gt;5 &gt; 3 &amp; 2 &lt; 4</i>
        <a href="https://x.example/?a=1&amp;b=&quot;&gt;&lt;i&gt;">Runbook</a>

        <a href="http://tocsin.example/monitors/m?x=&quot;'&lt;&gt;&amp;">Open in Tocsin</a>""");
    assertThat(telegramText(html)).isEqualTo("""
        [FIRING] <Redis> & "shards" {node="</code><b>\\"x\\"</b> & co"}
        Monitor labels: {t="<&>"}

        FIRING {node="</code><b>\\"x\\"</b> & co"}
        value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC
        <script>alert(1)</script> &amp;
        </i>5 > 3 & 2 < 4
        Runbook

        Open in Tocsin""");
  }

  @Test
  void format_linksThatAreNotAbsoluteHttp_areShownAsText() {
    Alert alert = firing(Map.of(), Map.of("runbook_url", "javascript:alert(1)"));
    Notification n = new Notification("n-5", "ops-telegram", "m", "M", Map.of(), "", "/monitors/m", List.of(alert),
        T0, false);

    assertThat(TelegramMessage.format(n)).isEqualTo("""
        <b>[FIRING] M</b>

        <b>FIRING</b>
        value 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC
        Runbook: javascript:alert(1)

        Open in Tocsin: /monitors/m""");
  }

  @Test
  void format_25Alerts_listsTwentyAndSaysHowManyMore() {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      alerts.add(firing(Map.of("node", "n" + i), Map.of()));
    }

    String html = TelegramMessage.format(notification(alerts));

    assertThat(html).startsWith("<b>[FIRING:25] Redis shard is down</b>\n");
    assertThat(html.split("<b>FIRING</b>", -1)).hasSize(21);
    assertThat(html).contains("<code>{node=\"n19\"}</code>").doesNotContain("n20")
        .endsWith("\n\nand 5 more\n\n<a href=\"" + LINK + "\">Open in Tocsin</a>");
  }

  @Test
  void format_500AlertsWithLongHostileLabels_fitsTelegramLimitCutBetweenAlerts() {
    List<Alert> alerts = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      alerts.add(firing(Map.of(
          "cluster", "cluster-&<>\"-".repeat(20),
          "node", String.format("node-%03d-", i) + "x&y".repeat(100),
          "zone", "😀".repeat(50)), Map.of("summary", "Shard " + i + " & <friends> are down")));
    }

    String html = TelegramMessage.format(notification(alerts));

    String text = telegramText(html);
    assertThat(text.length()).isLessThanOrEqualTo(TelegramMessage.MAX_LENGTH).isGreaterThan(2048);
    assertThat(html).startsWith("<b>[FIRING:500] Redis shard is down</b>\n\n<b>FIRING</b> <code>{cluster=")
        .endsWith("</code>\nvalue 0 is below the minimum 1, breaching since 2026-03-01 11:55:00 UTC, firing since 2026-03-01 12:00:00 UTC\nShard 3 &amp; &lt;friends&gt; "
            + "are down\n\n… (truncated)\n\n<a href=\"" + LINK + "\">Open in Tocsin</a>");
  }

  @Test
  void format_hugeMonitorName_isCutInsideTheTitleAndStaysValid() {
    Notification n = new Notification("n-6", "ops-telegram", "m", "&<big>".repeat(2000), Map.of(), "", LINK,
        List.of(firing(Map.of(), Map.of())), T0, false);

    String html = TelegramMessage.format(n);

    assertThat(telegramText(html).length()).isLessThanOrEqualTo(TelegramMessage.MAX_LENGTH);
    assertThat(html).startsWith("<b>[FIRING] &amp;&lt;big&gt;&amp;")
        .endsWith("</b>\n… (truncated)\n\n<a href=\"" + LINK + "\">Open in Tocsin</a>");
  }
}
