package io.tocsin.notify.pagerduty;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.notify.Alert;
import io.tocsin.notify.AlertKeys;
import io.tocsin.notify.Notification;
import io.tocsin.notify.Severity;
import io.tocsin.testing.ChannelTestData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PagerDutyEventTest {
  @Test
  void trigger_ofAnAlertInAGroupSpanningMonitors_isTheEventOfThatAlertsMonitorAlone() {
    Notification group = ChannelTestData.grouped("pd");
    Alert down = group.alerts().get(0);
    Notification alone = ChannelTestData.notification("pd", Map.of("cluster", "c1"),
        List.of(ChannelTestData.firing("n1")));

    assertThat(PagerDutyEvent.trigger(group, down, Severity.CRITICAL))
        .isEqualTo(PagerDutyEvent.trigger(alone, alone.alerts().get(0), Severity.CRITICAL));
    assertThat(PagerDutyEvent.resolve(group, group.alerts().get(1)).get("dedup_key").asText())
        .isEqualTo(AlertKeys.of("redis-hit-rate", Map.of("node", "n2")));
  }
}
