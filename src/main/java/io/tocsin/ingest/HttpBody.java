package io.tocsin.ingest;

import io.javalin.http.Context;
import io.tocsin.ingest.OtlpIngest.TooLargeException;
import io.tocsin.util.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

/** Reads a request body within limits, for OTLP/HTTP and remote write alike. */
final class HttpBody {
  /** The first buffer for a body of unknown or declared length; it grows as bytes arrive. */
  private static final int INITIAL_BUFFER = 64 * 1024;
  private static final ThreadLocal<byte[]> FIRST_PART = ThreadLocal.withInitial(() -> new byte[INITIAL_BUFFER]);

  private HttpBody() {}

  /**
   * Reads the body, at most {@code maxRequestBytes + 1} bytes, within the read timeout. The
   * connection's idle timeout is lowered to what is left of it before every read, so a read
   * blocked on a silent client ends at the deadline too, and a client trickling bytes is cut
   * off at the first read after it.
   *
   * @param declared the Content-Length, or -1
   */
  static byte[] read(Context ctx, long declared, long maxRequestBytes, Duration readTimeout)
      throws IOException, TooLargeException, ReadTimeoutException {
    EndPoint endPoint = ServletContextRequest.getServletContextRequest(ctx.req())
        .getConnectionMetaData().getConnection().getEndPoint();
    long idleTimeout = endPoint.getIdleTimeout();
    long deadline = System.nanoTime() + readTimeout.toNanos();
    InputStream in = ctx.req().getInputStream();
    // A declared length is believed once the first buffer is full: a client that claims much and
    // sends little holds no more than INITIAL_BUFFER, one that sends it is read without doubling
    // copies or a final trim.
    // The first part of a body longer than it lands in a buffer the thread keeps (Jetty's threads
    // are pooled), so that a large body costs one array of its own size.
    byte[] buffer = declared > INITIAL_BUFFER ? FIRST_PART.get()
        : new byte[(int) (declared >= 0 ? declared : INITIAL_BUFFER)];
    int length = 0;
    try {
      while (true) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new ReadTimeoutException(readTimeout);
        }
        endPoint.setIdleTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        if (length == buffer.length) {
          if (length == declared) {
            int next = in.read();
            if (next < 0) {
              return buffer;
            }
            // More than the declared length, which Jetty's framing never delivers: read on.
            buffer = Arrays.copyOf(buffer, (int) Math.min(maxRequestBytes + 1, buffer.length * 2L + 1));
            buffer[length++] = (byte) next;
            if (length > maxRequestBytes) {
              throw new TooLargeException(tooLarge("request body", maxRequestBytes));
            }
            continue;
          }
          long grown = declared > length ? declared : buffer.length * 2L;
          buffer = Arrays.copyOf(buffer, (int) Math.min(maxRequestBytes + 1, grown));
        }
        int read = in.read(buffer, length, buffer.length - length);
        if (read < 0) {
          return length == buffer.length && buffer != FIRST_PART.get() ? buffer : Arrays.copyOf(buffer, length);
        }
        length += read;
        if (length > maxRequestBytes) {
          throw new TooLargeException(tooLarge("request body", maxRequestBytes));
        }
      }
    } catch (IOException e) {
      if (System.nanoTime() - deadline >= 0 || causedByTimeout(e)) {
        throw new ReadTimeoutException(readTimeout);
      }
      throw e;
    } finally {
      endPoint.setIdleTimeout(idleTimeout);
    }
  }

  static String tooLarge(String what, long maxRequestBytes) {
    return what + " exceeds limits.max_request_bytes (" + maxRequestBytes + ")";
  }

  private static boolean causedByTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The body did not arrive within limits.request_read_timeout. */
  static final class ReadTimeoutException extends Exception {
    private static final long serialVersionUID = 1L;

    ReadTimeoutException(Duration timeout) {
      super("request body not received within limits.request_read_timeout (" + Durations.format(timeout) + ")");
    }
  }
}
