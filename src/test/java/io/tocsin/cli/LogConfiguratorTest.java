package io.tocsin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The logging set up in code against the logback.xml it replaced (kept as a test resource): the
 * same lines for the same events in both formats, the same levels for each setting.
 */
class LogConfiguratorTest {
  private static final String REFERENCE = "logback-reference.xml";
  private static final List<String> LOGGERS = List.of(Logger.ROOT_LOGGER_NAME, "io.tocsin.Tocsin",
      "io.tocsin.cli.ServeCommand", "org.eclipse.jetty.server.Server", "io.javalin.Javalin", "io.grpc.internal.ServerImpl",
      "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream", "io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoop",
      "org.jgroups.protocols.TCP", "alerts");

  /** java.util.logging's levels are global: set back to what the service configured at start. */
  @AfterEach
  void restoreJulLevels() {
    LogConfigurator.configure(new LoggerContext(), name -> null);
  }

  @Test
  void lines_areThoseOfTheXmlConfiguration_inBothFormats() throws Exception {
    RuntimeException failure = new IllegalStateException("snapshot failed", new IOException("disk full"));
    for (String format : List.of("text", "json")) {
      Map<String, String> settings = Map.of("TOCSIN_LOG_FORMAT", format);
      LoggerContext configured = configured(settings);
      LoggerContext reference = reference(settings);
      List<ILoggingEvent> events = List.of(
          event(configured, "io.tocsin.Tocsin", Level.INFO, "OTLP/gRPC listening on {}:{}", null, "127.0.0.1", 4317),
          event(configured, "io.tocsin.store.wal.Snapshots", Level.WARN, "wrote \"quoted\" {}", failure, "x"),
          event(configured, "alerts", Level.ERROR, "plain message", null));
      for (ILoggingEvent event : events) {
        assertThat(encoded(configured, event)).as(format).isEqualTo(encoded(reference, event));
      }
    }
  }

  @Test
  void textLine_isTimeLevelSimpleLoggerNameAndMessage() {
    LoggerContext configured = configured(Map.of());
    ILoggingEvent event = event(configured, "io.tocsin.cli.ServeCommand", Level.INFO, "Tocsin is ready", null);
    assertThat(encoded(configured, event))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  \\[ServeCommand\\] "
            + "Tocsin is ready" + System.lineSeparator());
  }

  @Test
  void levels_areThoseOfTheXmlConfiguration_forEachLevelSetting() throws Exception {
    for (String level : List.of("", "DEBUG", "WARN", "error", "OFF")) {
      Map<String, String> settings = level.isEmpty() ? Map.of() : Map.of("TOCSIN_LOG_LEVEL", level);
      LoggerContext configured = configured(settings);
      LoggerContext reference = reference(settings);
      for (String name : LOGGERS) {
        assertThat(configured.getLogger(name).getEffectiveLevel()).as(level + " " + name)
            .isEqualTo(reference.getLogger(name).getEffectiveLevel());
      }
    }
  }

  @Test
  void julLevels_followTheConfiguredOnes() {
    configured(Map.of("TOCSIN_LOG_LEVEL", "DEBUG"));
    assertThat(java.util.logging.Logger.getLogger("").getLevel()).isEqualTo(java.util.logging.Level.FINE);
    assertThat(java.util.logging.Logger.getLogger("io.grpc").getLevel()).isEqualTo(java.util.logging.Level.WARNING);
  }

  @Test
  void unknownFormatAndLevel_areWarnedAbout_andTheDefaultsUsed() {
    LoggerContext context = new LoggerContext();
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    context.getLogger(LogConfigurator.class).addAppender(warnings);
    LogConfigurator.configure(context, Map.of("TOCSIN_LOG_FORMAT", "xml", "TOCSIN_LOG_LEVEL", "LOUD")::get);

    assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "TOCSIN_LOG_FORMAT=xml is neither text nor json; logging as text",
        "TOCSIN_LOG_LEVEL=LOUD is not a level (TRACE, DEBUG, INFO, WARN, ERROR, OFF); logging at INFO");
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
    assertThat(((OutputStreamAppender<ILoggingEvent>) rootAppender(context)).getEncoder())
        .isInstanceOfSatisfying(PatternLayoutEncoder.class, e -> assertThat(e.getPattern())
            .isEqualTo(LogConfigurator.PATTERN));
  }

  @Test
  void configurationFileProperty_leavesTheConfigurationToLogback() {
    String before = System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY);
    LoggerContext context = new LoggerContext();
    LogConfigurator configurator = new LogConfigurator();
    configurator.setContext(context);
    System.setProperty(ClassicConstants.CONFIG_FILE_PROPERTY, "/etc/tocsin/logback.xml");
    try {
      assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    } finally {
      if (before == null) {
        System.clearProperty(ClassicConstants.CONFIG_FILE_PROPERTY);
      } else {
        System.setProperty(ClassicConstants.CONFIG_FILE_PROPERTY, before);
      }
    }
    assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(rootAppender(context).getName()).isEqualTo("text");
  }

  private static LoggerContext configured(Map<String, String> settings) {
    LoggerContext context = new LoggerContext();
    LogConfigurator.configure(context, settings::get);
    return context;
  }

  /** The replaced logback.xml, its variables set as context properties (where Joran looks first). */
  private static LoggerContext reference(Map<String, String> settings) throws Exception {
    LoggerContext context = new LoggerContext();
    settings.forEach(context::putProperty);
    JoranConfigurator joran = new JoranConfigurator();
    joran.setContext(context);
    joran.doConfigure(LogConfiguratorTest.class.getResource(REFERENCE));
    return context;
  }

  private static ILoggingEvent event(LoggerContext context, String logger, Level level, String message,
      Throwable thrown, Object... args) {
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger(logger), level, message, thrown,
        args);
    event.setInstant(Instant.parse("2026-11-30T16:00:00.123Z"));
    return event;
  }

  private static String encoded(LoggerContext context, ILoggingEvent event) {
    byte[] bytes = ((OutputStreamAppender<ILoggingEvent>) rootAppender(context)).getEncoder().encode(event);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static Appender<ILoggingEvent> rootAppender(LoggerContext context) {
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    Iterator<Appender<ILoggingEvent>> it = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
    it.forEachRemaining(appenders::add);
    assertThat(appenders).hasSize(1);
    return appenders.get(0);
  }
}
