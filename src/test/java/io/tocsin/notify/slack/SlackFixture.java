package io.tocsin.notify.slack;

import static io.tocsin.notify.slack.SlackTestData.T0;
import static io.tocsin.notify.slack.SlackTestData.TOKEN;
import static io.tocsin.notify.slack.SlackTestData.config;
import static io.tocsin.notify.slack.SlackTestData.context;

import io.tocsin.util.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A {@link FakeSlack} and a simulated clock at {@link SlackTestData#T0}, and Slack notifiers of
 * either kind built as a rule file declares them: a webhook, or a bot with {@link
 * SlackTestData#TOKEN}. Close it after each test.
 */
final class SlackFixture implements AutoCloseable {
  final FakeSlack slack = new FakeSlack();
  final MutableClock clock = new MutableClock(Instant.ofEpochMilli(T0));

  /** A webhook channel posting to {@code url}, remembering in {@code dir}. */
  SlackNotifier webhook(String url, Path dir, Duration requestTimeout) {
    return new SlackNotifier(config("{name: ops, type: slack, webhook_url: \"" + url + "\"}"),
        context(clock, dir, requestTimeout));
  }

  /** A bot channel posting to {@code channel} through the Web API at {@code apiUrl}. */
  SlackNotifier bot(String apiUrl, String channel, Path dir, Duration requestTimeout) {
    return new SlackNotifier(config("{name: ops, type: slack, token: " + TOKEN + ", channel: \"" + channel
        + "\", api_url: \"" + apiUrl + "\"}"), context(clock, dir, requestTimeout));
  }

  @Override
  public void close() {
    slack.close();
  }
}
