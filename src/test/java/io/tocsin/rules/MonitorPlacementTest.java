package io.tocsin.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitors evaluated elsewhere (a cluster that shards monitors), on a simulated clock: two engines
 * over one store stand for two members that receive the same data. The owner evaluates and hands
 * its alert state on; the other adopts it and, when the owner is gone, takes the monitor over.
 * One-minute buckets evaluated as soon as they end.
 */
class MonitorPlacementTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final Labels N1 = Labels.of("node", "n1");
  private static final String ID = "shard-is-down";

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(T0);
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
  private final List<String> ownerSent = new ArrayList<>();
  private final List<String> takerSent = new ArrayList<>();
  private final List<AlertState> handedOn = new ArrayList<>();
  /** Whether the taker evaluates the monitor; the owner always does until it is gone. */
  private final AtomicBoolean takerOwns = new AtomicBoolean();
  private final MonitorEngine owner = MonitorEngine.inMemory(store, (m, events) -> record(ownerSent, events), clock);
  private final MonitorEngine taker = MonitorEngine.inMemory(store, (m, events) -> record(takerSent, events), clock);

  private static void record(List<String> sent, List<AlertEvent> events) {
    events.forEach(e -> sent.add(e.type().id() + " at " + minute(e.at()) + " active " + minute(e.activeAt())
        + " fired " + minute(e.firedAt())));
  }

  private static long minute(long ms) {
    return (ms - T0.toEpochMilli()) / 60_000;
  }

  private static List<MonitorDefinition> shardDown(String forDuration) throws Exception {
    return new RuleFiles(name -> null).parse(Map.of("r.yml", """
        monitors:
          - name: Shard is down
            metrics: [redis_up as $up]
            query: [group by node, $up]
            min_allowed_value: 1
            for_duration: %s
            evaluation_delay: 0s
        """.formatted(forDuration))).monitors();
  }

  private void load(String forDuration) throws Exception {
    owner.load(shardDown(forDuration));
    taker.load(shardDown(forDuration));
    owner.onAlertStateChange(handedOn::add);
    taker.placeBy(id -> takerOwns.get());
  }

  private void value(int minute, double v) {
    store.write("redis_up", MetricKind.GAUGE, N1, s -> s.append(T0.toEpochMilli() + minute * 60_000L + 10_000, v));
  }

  /** The owner evaluates at {@code minute}; the taker adopts what it hands on. */
  private void ownerEvaluatesAt(int minute) {
    clock.set(T0.plus(Duration.ofMinutes(minute)));
    owner.evaluateDue(clock.millis());
    handedOn.forEach(taker::adopt);
    handedOn.clear();
  }

  private void takerEvaluatesAt(int minute) {
    clock.set(T0.plus(Duration.ofMinutes(minute)));
    taker.evaluateDue(clock.millis());
  }

  private GroupState takerGroup() {
    return taker.monitor(ID).orElseThrow().groups().stream().filter(g -> g.labels().equals(N1)).findFirst()
        .orElseThrow();
  }

  @Test
  void monitorNotEvaluatedHere_isNotEvaluated_butShowsTheAdoptedState() throws Exception {
    load("1m");
    value(0, 0);

    ownerEvaluatesAt(1);
    takerEvaluatesAt(1);

    assertThat(ownerSent).containsExactly("firing at 1 active 0 fired 1");
    assertThat(takerSent).isEmpty();
    MonitorStatus status = taker.monitor(ID).orElseThrow();
    assertThat(status.evaluatedHere()).isFalse();
    assertThat(status.lastEvaluationMs()).isZero();
    assertThat(status.state()).isEqualTo("firing");
    assertThat(status.groups()).singleElement().satisfies(g -> assertThat(g.firedAt()).isEqualTo(at(1)));
    assertThat(owner.monitor(ID).orElseThrow().evaluatedHere()).isTrue();
  }

  @Test
  void evaluateDueAsync_startsNoMonitorEvaluatedElsewhere() throws Exception {
    load("1m");
    value(0, 0);
    clock.set(T0.plus(Duration.ofMinutes(1)));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      assertThat(taker.evaluateDueAsync(clock.millis(), pool)).isEmpty();
    } finally {
      pool.shutdownNow();
    }
    assertThat(taker.monitor(ID).orElseThrow().health()).isEqualTo(MonitorStatus.Health.UNKNOWN);
  }

  @Test
  void takeover_continuesAnAdoptedPendingCount_bucketByBucket_andFiresOnceAtItsBucket() throws Exception {
    load("3m");
    // Breaches in buckets 0 and 1, no data in 2 and 3 (absent_points ignore), breaches again in 4 and 5.
    value(0, 0);
    value(1, 0);
    value(4, 0);
    value(5, 0);
    ownerEvaluatesAt(1);
    ownerEvaluatesAt(2);
    assertThat(takerGroup().state()).isEqualTo(State.PENDING);
    assertThat(takerGroup().streak()).isEqualTo(2);

    // The owner is gone; the taker evaluates from the next bucket on.
    takerOwns.set(true);
    takerEvaluatesAt(3);
    assertThat(takerGroup().streak()).isEqualTo(2);
    takerEvaluatesAt(4);
    assertThat(takerGroup().streak()).isEqualTo(2);
    assertThat(takerSent).isEmpty();
    takerEvaluatesAt(5);
    takerEvaluatesAt(6);

    // A fresh start would have read buckets 2-4 at minute 5 and fired later, active since minute 4.
    assertThat(takerSent).containsExactly("firing at 5 active 0 fired 5");
    assertThat(ownerSent).isEmpty();
  }

  @Test
  void takeover_afterALongerGapThanTheStreak_stepsThroughEveryBucketSinceTheAdoptedOne() throws Exception {
    load("3m");
    for (int m = 0; m <= 7; m++) {
      value(m, 0);
    }
    ownerEvaluatesAt(1);
    ownerEvaluatesAt(2);

    // The view change took long: five buckets since the adopted one, more than N + 1.
    takerOwns.set(true);
    takerEvaluatesAt(7);

    assertThat(takerSent).containsExactly("firing at 3 active 0 fired 3");
  }

  @Test
  void takeover_ofAFiringGroup_doesNotFireAgain_andResolvesOnce() throws Exception {
    load("1m");
    value(0, 0);
    value(1, 0);
    value(2, 1);
    value(3, 1);
    ownerEvaluatesAt(1);
    assertThat(ownerSent).containsExactly("firing at 1 active 0 fired 1");

    takerOwns.set(true);
    takerEvaluatesAt(2);
    takerEvaluatesAt(3);
    takerEvaluatesAt(4);

    assertThat(takerSent).containsExactly("resolved at 3 active 0 fired 1");
    assertThat(taker.monitor(ID).orElseThrow().state()).isEqualTo("ok");
  }

  @Test
  void takeBack_continuesTheStateAdoptedMeanwhile_notTheOneItLastEvaluated() throws Exception {
    load("3m");
    for (int m = 0; m <= 4; m++) {
      value(m, 0);
    }
    takerOwns.set(true);
    takerEvaluatesAt(1);
    takerEvaluatesAt(2); // pending since minute 0, two buckets in
    takerOwns.set(false);
    ownerEvaluatesAt(3); // the owner fires; the taker adopts that

    takerOwns.set(true);
    takerEvaluatesAt(4);

    // Stepping the group it evaluated at minute 2 would fire it again at 4.
    assertThat(ownerSent).containsExactly("firing at 3 active 0 fired 3");
    assertThat(takerSent).isEmpty();
    assertThat(takerGroup().firedAt()).isEqualTo(at(3));
  }

  @Test
  void alertStateListener_isToldOfEveryChange_andOfNoEvaluationThatChangedNothing() throws Exception {
    load("3m");
    value(1, 0);
    value(2, 0);
    value(3, 5);
    value(4, 5);
    for (int m = 1; m <= 5; m++) {
      clock.set(T0.plus(Duration.ofMinutes(m)));
      owner.evaluateDue(clock.millis());
    }

    // Minute 1: nothing pends. 2 and 3: the pending count advances. 4: it resolves to ok. 5: nothing.
    assertThat(handedOn).extracting(s -> minute(s.lastBucketEnd()) + ":" + s.groups().stream()
        .map(g -> g.state().id() + " " + g.streak()).toList())
        .containsExactly("2:[pending 1]", "3:[pending 2]", "4:[]");
    assertThat(handedOn).allSatisfy(s -> assertThat(s.monitorId()).isEqualTo(ID));
  }

  @Test
  void alertStateListener_isNotToldOfAFiringGroupsNewValues_butOfItsStateEveryRefresh() throws Exception {
    load("2m");
    for (int m = 1; m <= 70; m++) {
      value(m, m % 2 == 0 ? 0 : 0.5); // still breaching, with another value in every bucket
    }
    for (int m = 1; m <= 70; m++) {
      clock.set(T0.plus(Duration.ofMinutes(m)));
      owner.evaluateDue(clock.millis());
    }

    assertThat(handedOn).extracting(s -> minute(s.lastBucketEnd()) + ":" + s.groups().stream()
        .map(g -> g.state().id() + " " + g.streak()).toList())
        .containsExactly("2:[pending 1]", "3:[firing 2]", (3 + MonitorRuntime.REFRESH_BUCKETS) + ":[firing 62]");
  }

  @Test
  void adopt_refusesAMonitorEvaluatedHere_anOlderState_andAnotherQuery() throws Exception {
    load("3m");
    value(0, 0);
    value(1, 0);
    ownerEvaluatesAt(1);
    AlertState atMinute1 = owner.alertStates().get(0);
    ownerEvaluatesAt(2);
    AlertState atMinute2 = owner.alertStates().get(0);

    assertThat(owner.adopt(atMinute1)).isFalse();
    assertThat(taker.adopt(atMinute1)).isFalse();
    assertThat(takerGroup().streak()).isEqualTo(2);
    AlertState otherQuery = new AlertState(ID, atMinute2.stateKey() + "x", at(9), atMinute2.groups());
    assertThat(taker.adopt(otherQuery)).isFalse();
    assertThat(taker.monitor(ID).orElseThrow().lastBucketEnd()).isEqualTo(at(2));
    assertThat(taker.adopt(new AlertState("no-such-monitor", "k", at(9), List.of()))).isFalse();
  }

  @Test
  void adoptOnJoin_takesAPeersStateWhenItIsNewerOrNoneIsHere() throws Exception {
    load("3m");
    value(0, 0);
    value(1, 0);
    ownerEvaluatesAt(1);
    AlertState pendingOnce = owner.alertStates().get(0);
    ownerEvaluatesAt(2);
    AlertState pendingTwice = owner.alertStates().get(0);
    MonitorEngine joiner = MonitorEngine.inMemory(store, (m, events) -> record(takerSent, events), clock);
    joiner.load(shardDown("3m"));

    assertThat(joiner.adoptOnJoin(pendingOnce)).as("none here").isTrue();
    assertThat(joiner.adoptOnJoin(pendingOnce)).as("the same buckets, evaluated here too").isFalse();
    assertThat(joiner.adoptOnJoin(pendingTwice)).as("newer").isTrue();
    assertThat(joiner.adoptOnJoin(pendingOnce)).as("older").isFalse();
    assertThat(joiner.monitor(ID).orElseThrow().groups()).singleElement()
        .satisfies(g -> assertThat(g.streak()).isEqualTo(2));
  }

  @Test
  void behindSchedule_ignoresMonitorsEvaluatedElsewhere() throws Exception {
    load("1m");
    long anHourLater = T0.plus(Duration.ofHours(1)).toEpochMilli();

    assertThat(taker.behindSchedule(anHourLater)).isNull();
    assertThat(owner.behindSchedule(anHourLater)).startsWith("monitor evaluation is behind schedule: 1 of 1");
  }

  @Test
  void behindSchedule_countsAMonitorTakenOverFromWhenItMovedHere() throws Exception {
    load("1m");
    clock.set(T0.plus(Duration.ofHours(1)));
    takerOwns.set(true);
    taker.placementChanged();

    assertThat(taker.behindSchedule(clock.millis())).isNull();
    assertThat(taker.behindSchedule(clock.millis() + Duration.ofMinutes(5).toMillis())).isNotNull();
  }

  @Test
  void metrics_showWhichMonitorsAreEvaluatedHere() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    MonitorEngine engine = MonitorEngine.persistent(store, (m, events) -> { }, clock, dataDir, registry);
    List<MonitorDefinition> two = new ArrayList<>(shardDown("1m"));
    two.addAll(new RuleFiles(name -> null).parse(Map.of("r.yml", """
        monitors:
          - name: Other
            metrics: [redis_up as $up]
            query: [$up]
            min_allowed_value: 1
            evaluation_delay: 0s
        """)).monitors());
    engine.load(two);
    engine.placeBy(ID::equals);
    value(0, 0);
    clock.set(T0.plus(Duration.ofMinutes(1)));
    engine.evaluateDue(clock.millis());

    String scraped = scrape(registry);
    assertThat(scraped).contains("tocsin_monitor_evaluated_here{monitor=\"shard-is-down\"} 1.0",
        "tocsin_monitor_evaluated_here{monitor=\"other\"} 0.0",
        "tocsin_monitor_last_evaluation_timestamp_seconds{monitor=\"shard-is-down\"}");
    assertThat(scraped).doesNotContain("tocsin_monitor_last_evaluation_timestamp_seconds{monitor=\"other\"}");
  }

  private static String scrape(PrometheusRegistry registry) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static long at(int minute) {
    return T0.toEpochMilli() + minute * 60_000L;
  }
}
