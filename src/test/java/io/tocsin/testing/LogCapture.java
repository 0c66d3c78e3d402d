package io.tocsin.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what one class (or named logger) logs while open, as {@code "LEVEL message"} lines. */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(Logger logger) {
    this.logger = logger;
    appender.start();
    logger.addAppender(appender);
  }

  public static LogCapture of(Class<?> source) {
    return new LogCapture((Logger) LoggerFactory.getLogger(source));
  }

  /** What the logger of this name logs, such as {@code alerts}, the log channel's. */
  public static LogCapture of(String logger) {
    return new LogCapture((Logger) LoggerFactory.getLogger(logger));
  }

  public List<String> messages() {
    List<ILoggingEvent> events;
    // Appending holds the appender's lock; copying under it lets another thread log meanwhile.
    synchronized (appender) {
      events = List.copyOf(appender.list);
    }
    return events.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
