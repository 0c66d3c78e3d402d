package io.tocsin.rules;

import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A store on a simulated clock from {@link #T0} and the monitor runtimes the state machine tests
 * drive bucket by bucket over it: one-minute buckets, evaluated right at each bucket's end.
 */
final class RuntimeFixture {
  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  final MutableClock clock = new MutableClock(T0);
  final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 1000, 1000));
  final QueryEvaluator evaluator = new QueryEvaluator(store);

  /** The start of minute {@code m} after {@link #T0}, in Unix milliseconds. */
  static long minute(int m) {
    return T0.toEpochMilli() + m * 60_000L;
  }

  /** The runtime of the one monitor a rule file with this text declares. */
  static MonitorRuntime runtime(String ruleFile) throws Exception {
    return new MonitorRuntime(new RuleFiles(name -> null).parse(Map.of("m.yml", ruleFile)).monitors().get(0));
  }
}
