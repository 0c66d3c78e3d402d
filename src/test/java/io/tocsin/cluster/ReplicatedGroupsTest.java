package io.tocsin.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.cluster.ReplicatedMembers.Member;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rulefiles.RuleSet;
import io.tocsin.rules.AlertEvent;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.store.Labels;
import io.tocsin.util.MutableClock;
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
 * Two members of a cluster (connected in memory) aggregate the same alerts on a route with
 * group_by, the second 20 seconds behind the first, so their groups flush 20 seconds apart: the
 * first message and the resend after repeat_interval each reach the channel once, because a
 * resent alert's identity in the notification log is on a grid of repeat_interval from its firing.
 */
class ReplicatedGroupsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final ReplicatedMembers members = new ReplicatedMembers(clock);
  private final RuleSet rules = rules();

  @AfterEach
  void close() throws Exception {
    members.close();
  }

  private static RuleSet rules() {
    try {
      return new RuleFiles(name -> null).parse(Map.of("r.yml", """
          monitors:
            - {name: Shard is down, metrics: [redis_up as $up], query: [group by node, $up], min_allowed_value: 1,
               labels: {cluster: c1}}
          channels:
            - {name: log, type: log}
          routes:
            - channels: [log]
              group_by: [cluster]
              group_wait: 30s
              group_interval: 5m
              repeat_interval: 10m
          """));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What happened to each message for the channel, oldest first: sent or deduplicated, and how many alerts. */
  private static List<String> outcomes(Member member) {
    return member.entries().stream().filter(e -> e.channel() != null).map(e -> e.type() + ": " + e.detail()).toList();
  }

  private Member member(String name) throws Exception {
    Member member = members.join(dataDir, name);
    member.dispatcher().configure(rules.channels(), rules.routing());
    return member;
  }

  private List<AlertEvent> firing(String... nodes) {
    MonitorDefinition monitor = rules.monitors().get(0);
    long at = T0.toEpochMilli();
    List<AlertEvent> events = new ArrayList<>();
    for (String node : nodes) {
      events.add(new AlertEvent(AlertEvent.Type.FIRING, monitor.id(), monitor.name(), Labels.of("node", node), 0, 1,
          at - 60_000, at, 0, at, ""));
    }
    return events;
  }

  /** Runs both members' timers each second from the clock's time to {@code until} after T0. */
  private void runUntil(Duration until, Member... members) {
    while (clock.instant().isBefore(T0.plus(until))) {
      clock.advance(Duration.ofSeconds(1));
      for (Member m : members) {
        m.dispatcher().deliverDue();
      }
    }
  }

  @Test
  void twoMembersFlushingTheSameGroupApart_sendTheFirstMessageAndTheResendOnce() throws Exception {
    Member first = member("a:7800");
    Member second = member("b:7800");
    MonitorDefinition monitor = rules.monitors().get(0);
    first.dispatcher().deliver(monitor, firing("n1", "n2"));
    runUntil(Duration.ofSeconds(20), first, second);
    second.dispatcher().deliver(monitor, firing("n1", "n2"));

    runUntil(Duration.ofMinutes(12), first, second);

    // Flushes: the first member at 30s, 5m30s (nothing new) and 10m30s (the resend); the second 20s later each.
    assertThat(outcomes(first)).containsExactly(
        "sent: firing, 2 alerts, attempt 1: logged 2 alerts",
        "sent: firing, 2 alerts, attempt 1: logged 2 alerts");
    assertThat(outcomes(second)).containsExactly(
        "deduplicated: firing, 2 alerts: already sent by a:7800",
        "deduplicated: firing, 2 alerts: already sent by a:7800");
  }
}
