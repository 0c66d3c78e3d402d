package io.tocsin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.cluster.ReplicatedMembers.Member;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.AlertEvent;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.store.Labels;
import io.tocsin.util.MutableClock;
import io.tocsin.yaml.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two members of a cluster (connected in memory) get the same events from their monitors: the
 * first delivers at once, the second holds for the peer timeout and then records the duplicate
 * in its history and metrics instead of sending it. Each member is a real dispatcher with the
 * default log channel over its own data directory, on one simulated clock.
 */
class ReplicatedDeliveryTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final ReplicatedMembers members = new ReplicatedMembers(clock);

  @AfterEach
  void close() throws Exception {
    members.close();
  }

  private Member member(String name) throws Exception {
    Member member = members.join(dataDir, name);
    member.dispatcher().configure(List.of());
    return member;
  }

  private static List<String> deliveries(Member member) {
    return member.entries().stream().map(e -> e.channel() + " " + e.type() + ": " + e.detail()).toList();
  }

  private static MonitorDefinition monitor() throws ConfigException {
    return new RuleFiles(name -> null).parse(Map.of("r.yml", """
        monitors:
          - {name: Shard is down, metrics: [redis_up as $up], query: [group by node, $up], min_allowed_value: 1}
        """)).monitors().get(0);
  }

  private static List<AlertEvent> firing(MonitorDefinition monitor, String... nodes) {
    long at = T0.toEpochMilli();
    List<AlertEvent> events = new ArrayList<>();
    for (String node : nodes) {
      events.add(new AlertEvent(AlertEvent.Type.FIRING, monitor.id(), monitor.name(), Labels.of("node", node), 0, 1,
          at - 60_000, at, 0, at, ""));
    }
    return events;
  }

  @Test
  void theSecondMember_recordsTheFirstMembersDelivery_insteadOfSendingIt() throws Exception {
    Member first = member("a:7800");
    Member second = member("b:7800");
    MonitorDefinition monitor = monitor();
    first.dispatcher().deliver(monitor, firing(monitor, "n1", "n2"));
    second.dispatcher().deliver(monitor, firing(monitor, "n1", "n2"));

    first.dispatcher().deliverDue();
    second.dispatcher().deliverDue();
    assertThat(deliveries(second)).isEmpty();
    clock.advance(Duration.ofSeconds(15));
    second.dispatcher().deliverDue();

    assertThat(deliveries(first)).containsExactly("log sent: firing, 2 alerts, attempt 1: logged 2 alerts");
    assertThat(deliveries(second)).containsExactly("log deduplicated: firing, 2 alerts: already sent by a:7800");
    assertThat(second.metrics())
        .contains("tocsin_notifications_total{channel=\"log\",outcome=\"deduplicated\"} 1.0")
        .contains("tocsin_nflog_entries 2.0");
  }

  @Test
  void theSecondMember_sendsWhatTheFirstDidNotHave() throws Exception {
    Member first = member("a:7800");
    Member second = member("b:7800");
    MonitorDefinition monitor = monitor();
    first.dispatcher().deliver(monitor, firing(monitor, "n1"));
    second.dispatcher().deliver(monitor, firing(monitor, "n1", "n2"));

    first.dispatcher().deliverDue();
    clock.advance(Duration.ofSeconds(15));
    second.dispatcher().deliverDue();

    assertThat(deliveries(second)).containsExactly("log sent: firing, 1 alert, attempt 1: logged 1 alerts");
    assertThat(first.metrics()).contains("tocsin_nflog_entries 2.0");
  }
}
