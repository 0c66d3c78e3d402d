package io.tocsin.notify;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * A network failure in words an on-call engineer can act on ("connection refused by
 * 127.0.0.1:9", "no answer from hooks.example.com:443 within 10s") instead of an exception's
 * class name. Names only the host and port: never a URL's path, query or credentials, which
 * may be secrets (a Slack webhook's path is).
 */
public final class NetworkFailures {
  private NetworkFailures() {}

  /** {@code host:port} of {@code target}, the scheme's default port when it names none. */
  public static String hostAndPort(URI target) {
    int port = target.getPort() != -1 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
    return target.getHost() + ":" + port;
  }

  /**
   * @param where the {@code host:port} that was being talked to
   * @param timeout the request timeout, for a failure that is one; null when not known
   */
  public static String describe(IOException e, String where, Duration timeout) {
    String within = timeout == null ? "" : " within " + duration(timeout);
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (t instanceof HttpConnectTimeoutException
          || t instanceof SocketTimeoutException && message.contains("connect")) {
        return "could not connect to " + where + within + " (connection timed out)";
      }
      // OkHttp (the Slack client) ends a call that took too long with a bare "timeout".
      if (t instanceof HttpTimeoutException || t instanceof SocketTimeoutException
          || t instanceof InterruptedIOException && message.equals("timeout")) {
        return "no answer from " + where + within;
      }
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        String reason = firstMessage(t);
        return reason.isEmpty() || reason.toLowerCase(Locale.ROOT).contains("refused")
            ? "connection refused by " + where : "could not connect to " + where + ": " + oneLine(reason);
      }
      if (t instanceof UnknownHostException) {
        return "unknown host: cannot resolve " + where.substring(0, Math.max(0, where.lastIndexOf(':')));
      }
      if (t instanceof SSLException) {
        return "TLS with " + where + " failed: " + oneLine(t.getMessage());
      }
      if (t instanceof EOFException) {
        return where + " closed the connection without an answer";
      }
    }
    String message = e.getMessage() == null ? "" : ": " + oneLine(e.getMessage());
    return "network error talking to " + where + " (" + e.getClass().getSimpleName() + message + ")";
  }

  /**
   * Why a connection failed, from the chain below {@code t}: the JDK's client wraps "Connection
   * refused" in an exception without a message, OkHttp in "Failed to connect to …".
   */
  private static String firstMessage(Throwable t) {
    String first = "";
    for (Throwable c = t; c != null; c = c.getCause()) {
      String message = c.getMessage() == null ? "" : c.getMessage().strip();
      if (message.toLowerCase(Locale.ROOT).contains("refused")) {
        return message;
      }
      first = first.isEmpty() ? message : first;
    }
    return first;
  }

  /** "10s", or "250 ms" for the short timeouts of tests and fast local channels. */
  private static String duration(Duration timeout) {
    return timeout.toMillis() < 1000 ? timeout.toMillis() + " ms" : Messages.duration(timeout.toMillis());
  }

  private static String oneLine(String text) {
    return text == null ? "" : Delivery.shorten(text);
  }
}
