package io.tocsin.cli;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import java.util.function.Function;

/**
 * Tocsin's logging, set up in code: one line per event on stdout, {@code TOCSIN_LOG_LEVEL} (default
 * INFO) and {@code TOCSIN_LOG_FORMAT} ({@code text}, the default, or {@code json}), each from the
 * environment or a system property of that name. Logback finds this class as a service before it
 * looks for a {@code logback.xml}; reading one would load its XML configurator and the JDK's XML
 * parser, about 400 classes that stay in memory for the life of the process. A file named by
 * {@code -Dlogback.configurationFile} still replaces all of this, as Logback documents.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
  /** The text format: time with its offset, level, the logger's simple name, the message. */
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%logger{0}] %msg%n";
  /** Libraries that say at INFO what Tocsin says in its own lines. */
  static final Map<String, Level> LIBRARY_LEVELS = Map.of(
      "org.eclipse.jetty", Level.WARN,
      "io.javalin", Level.WARN,
      "io.grpc", Level.WARN,
      "org.jgroups", Level.WARN,
      // A client sending an over-size message is counted in /metrics, not logged with a stack trace.
      "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream", Level.ERROR);

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    configure(context, name -> {
      String value = System.getProperty(name);
      return value != null ? value : System.getenv(name);
    });
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Configures {@code context} with the settings {@code settings} gives by name (null: unset). */
  static void configure(LoggerContext context, Function<String, String> settings) {
    // Makes java.util.logging levels follow these, so filtered JUL records cost nothing.
    LevelChangePropagator julLevels = new LevelChangePropagator();
    julLevels.setContext(context);
    julLevels.setResetJUL(true);
    julLevels.start();
    context.addListener(julLevels);

    String format = setting(settings, "TOCSIN_LOG_FORMAT", "text");
    String levelName = setting(settings, "TOCSIN_LOG_LEVEL", "INFO");
    Level level = Level.toLevel(levelName, null);
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(format.equals("json") ? "json" : "text");
    appender.setEncoder(format.equals("json") ? json(context) : text(context));
    appender.start();

    LIBRARY_LEVELS.forEach((name, libraryLevel) -> context.getLogger(name).setLevel(libraryLevel));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level != null ? level : Level.INFO);
    root.addAppender(appender);

    Logger log = context.getLogger(LogConfigurator.class);
    if (!format.equals("text") && !format.equals("json")) {
      log.warn("TOCSIN_LOG_FORMAT={} is neither text nor json; logging as text", format);
    }
    if (level == null) {
      log.warn("TOCSIN_LOG_LEVEL={} is not a level (TRACE, DEBUG, INFO, WARN, ERROR, OFF); logging at INFO",
          levelName);
    }
  }

  private static String setting(Function<String, String> settings, String name, String otherwise) {
    String value = settings.apply(name);
    return value == null || value.isBlank() ? otherwise : value.trim();
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithContext(false);
    encoder.setWithMDC(false);
    encoder.setWithKVPList(false);
    encoder.setWithArguments(false);
    encoder.setWithMessage(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }
}
