package io.tocsin.notify.slack;

import static io.tocsin.notify.slack.SlackTestData.TOKEN;
import static io.tocsin.notify.slack.SlackTestData.context;
import static io.tocsin.notify.slack.SlackTestData.firing;
import static io.tocsin.notify.slack.SlackTestData.notification;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.tocsin.util.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * With every logger of the Slack SDK and of this channel at TRACE, nothing logged shows the
 * webhook URL or the token. (The SDK's default response listener would log both.)
 */
class SlackLoggingTest {
  private static final List<String> LOGGERS = List.of("com.slack", "io.tocsin.notify.slack");

  private final SlackFixture fixture = new SlackFixture();
  private final FakeSlack slack = fixture.slack;
  private final MutableClock clock = fixture.clock;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  @TempDir
  Path dir;

  @BeforeEach
  void captureTrace() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    appender.setContext(context);
    appender.start();
    for (String name : LOGGERS) {
      Logger logger = context.getLogger(name);
      logger.setLevel(Level.TRACE);
      logger.setAdditive(false);
      logger.addAppender(appender);
    }
  }

  @AfterEach
  void restore() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    for (String name : LOGGERS) {
      Logger logger = context.getLogger(name);
      logger.detachAppender(appender);
      logger.setAdditive(true);
      logger.setLevel(null);
    }
    fixture.close();
  }

  private String logged() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent event : appender.list) {
      sb.append(event.getFormattedMessage()).append('\n');
      if (event.getThrowableProxy() != null) {
        sb.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
      }
    }
    return sb.toString();
  }

  @Test
  void send_webhookAtTraceLevel_neverLogsTheWebhookUrl() {
    SlackNotifier notifier = fixture.webhook(slack.webhookUrl(), dir, Duration.ofSeconds(5));
    slack.enqueue(FakeSlack.Answer.of(404, "no_service"));

    notifier.send(notification(firing("n1")));
    notifier.send(notification(firing("n1")));

    assertThat(slack.requests()).hasSize(2);
    assertThat(logged()).doesNotContain("webhook-secret");
  }

  @Test
  void send_botAtTraceLevel_neverLogsTheToken() {
    SlackNotifier notifier = fixture.bot(slack.apiUrl(), "C1", dir, Duration.ofSeconds(5));
    slack.enqueue(FakeSlack.Answer.of(429, "{\"ok\":false,\"error\":\"ratelimited\"}").withHeader("Retry-After", "1"));
    slack.enqueue(FakeSlack.Answer.of(200, "{\"ok\":false,\"error\":\"invalid_auth\"}"));
    slack.enqueue(FakeSlack.Answer.of(500, "not json"));

    for (int i = 0; i < 4; i++) {
      notifier.send(notification(firing("n1")));
    }

    assertThat(slack.requests()).hasSize(4);
    assertThat(logged()).doesNotContain(TOKEN, "secretTOKEN");
  }
}
