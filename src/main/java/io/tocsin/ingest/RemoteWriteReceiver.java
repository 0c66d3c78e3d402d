package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.tocsin.ingest.IngestMetrics.Outcome;
import io.tocsin.ingest.IngestMetrics.Transport;
import io.tocsin.ingest.OtlpIngest.TooLargeException;
import io.tocsin.store.AppendLog;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prometheus remote write 1.0, {@code POST /api/v1/write} on the REST port: a snappy block of a
 * protobuf {@code WriteRequest}. Bounded like OTLP/HTTP: the body is read within
 * limits.request_read_timeout and limits.max_request_bytes, the size the snappy header declares
 * is checked before anything is inflated, and decoding and writing take one of the in-flight
 * permits that OTLP uses too.
 *
 * <p>Statuses follow what Prometheus does with them: 2xx is done, 4xx is dropped without retry
 * (bad input, samples refused), 5xx and 429 are retried; so only overload and a write-ahead log
 * that cannot write answer 503. Samples that can be stored are stored even when others in the
 * same request are refused; the 400 then names how many were refused and why. Bodies are plain
 * text, which Prometheus logs.
 *
 * <p>Each connection (a Prometheus queue shard) keeps the series it wrote, by their label bytes
 * ({@link SenderSeries}), for its next requests; all connections together hold at most {@link
 * #SENDERS_BYTES}, each at most {@link #SENDER_BYTES}, and a connection's go when it closes.
 */
public final class RemoteWriteReceiver implements Handler {
  public static final String PATH = "/api/v1/write";
  static final String PROTOBUF = "application/x-protobuf";

  /** Room for the series of all connections: about 150,000 series of Prometheus' usual labels. */
  static final long SENDERS_BYTES = 16 << 20;
  /** Room for the series of one connection: about 40,000. */
  static final long SENDER_BYTES = 4 << 20;
  private static final String SENDER = SenderSeries.class.getName();

  private static final Logger log = LoggerFactory.getLogger(RemoteWriteReceiver.class);
  private final SenderSeries.Budget senderBudget = new SenderSeries.Budget(SENDERS_BYTES, SENDER_BYTES);

  private final RemoteWriteTranslator translator;
  private final IngestLimiter limiter;
  private final IngestMetrics metrics;
  private final long maxRequestBytes;
  private final Duration readTimeout;

  /**
   * @param limiter the in-flight bound shared with OTLP
   * @param kinds kind by metric name ({@code ingest.remote_write.kinds}), over metadata and suffixes
   */
  public RemoteWriteReceiver(SeriesStore store, Clock clock, LabelLimits limits, Map<String, MetricKind> kinds,
      IngestLimiter limiter, IngestMetrics metrics, long maxRequestBytes, Duration readTimeout) {
    this.translator = new RemoteWriteTranslator(store, clock, limits, kinds);
    this.limiter = limiter;
    this.metrics = metrics;
    this.maxRequestBytes = maxRequestBytes;
    this.readTimeout = readTimeout;
    metrics.senderSeriesBytes(senderBudget::held);
  }

  @Override
  public void handle(Context ctx) {
    try {
      receive(ctx);
    } catch (RuntimeException | Error e) {
      metrics.recordRequest(Transport.REMOTE_WRITE, Outcome.ERROR);
      throw e;
    }
  }

  private void receive(Context ctx) {
    String contentType = ctx.contentType();
    if (contentType == null || !contentType.split(";", 2)[0].trim().equalsIgnoreCase(PROTOBUF)) {
      fail(ctx, 415, Outcome.UNSUPPORTED, "unsupported Content-Type "
          + (contentType == null ? "none" : "\"" + contentType + "\"") + "; remote write 1.0 sends " + PROTOBUF);
      return;
    }
    if (contentType.contains("io.prometheus.write.v2.Request")) {
      fail(ctx, 415, Outcome.UNSUPPORTED, "remote write 2.0 (io.prometheus.write.v2.Request) is not supported; "
          + "send remote write 1.0 (protobuf_message: prometheus.WriteRequest)");
      return;
    }
    String encoding = ctx.header("Content-Encoding");
    if (encoding == null || !encoding.trim().equalsIgnoreCase("snappy")) {
      fail(ctx, 415, Outcome.UNSUPPORTED, "unsupported Content-Encoding "
          + (encoding == null ? "none" : "\"" + encoding + "\"") + "; remote write sends snappy");
      return;
    }
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxRequestBytes) {
      fail(ctx, 413, Outcome.TOO_LARGE, tooLarge("request body of " + declared + " bytes"));
      return;
    }
    byte[] body;
    try {
      body = HttpBody.read(ctx, declared, maxRequestBytes, readTimeout);
    } catch (TooLargeException e) {
      fail(ctx, 413, Outcome.TOO_LARGE, e.getMessage());
      return;
    } catch (HttpBody.ReadTimeoutException e) {
      ctx.header("Connection", "close");
      fail(ctx, 408, Outcome.TIMEOUT, e.getMessage());
      return;
    } catch (IOException e) {
      log.debug("remote-write request body broke off: {}", e.toString());
      metrics.recordRequest(Transport.REMOTE_WRITE, Outcome.ERROR);
      return;
    }
    if (!limiter.tryAcquire()) {
      ctx.header("Retry-After", Integer.toString(IngestLimiter.RETRY_AFTER_SECONDS));
      fail(ctx, 503, Outcome.OVERLOADED, "too many write requests in flight (limits.max_inflight_requests); retry after "
          + IngestLimiter.RETRY_AFTER_SECONDS + "s");
      return;
    }
    try {
      write(ctx, body);
    } finally {
      limiter.release();
    }
  }

  private void write(Context ctx, byte[] body) {
    IOException down = translator.log().failure();
    if (down != null) {
      fail(ctx, 503, Outcome.UNAVAILABLE, walMessage(down));
      return;
    }
    IngestResult result;
    try {
      long length = declaredLength(body);
      if (length > maxRequestBytes) {
        fail(ctx, 413, Outcome.TOO_LARGE, tooLarge("decompressed request body of " + length + " bytes"));
        return;
      }
      try (AppendLog.Gathering gathering = translator.log().gather()) {
        result = writeSnappy(ctx, body, (int) length);
      }
    } catch (InvalidProtocolBufferException e) {
      fail(ctx, 400, Outcome.INVALID, "request body is not a valid protobuf WriteRequest: " + e.getMessage());
      return;
    } catch (IOException e) {
      fail(ctx, 400, Outcome.INVALID, "request body is not snappy-compressed (block format): " + e.getMessage());
      return;
    }
    try {
      translator.log().commit();
    } catch (IOException e) {
      fail(ctx, 503, Outcome.UNAVAILABLE, walMessage(e));
      return;
    }
    metrics.recordPoints(Transport.REMOTE_WRITE, result);
    if (result.rejected() == 0) {
      ctx.status(204);
    } else {
      respond(ctx, 400, result.message() + "; the other " + result.accepted()
          + (result.accepted() == 1 ? " was stored" : " were stored"));
    }
  }

  /** Writes the request with the series its connection wrote before, and keeps them for the next. */
  private IngestResult writeSnappy(Context ctx, byte[] body, int length) throws IOException {
    ConnectionMetaData connection = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData();
    SenderSlot slot = connection.getAttribute(SENDER) instanceof SenderSlot existing ? existing : null;
    if (slot == null) {
      slot = new SenderSlot();
      connection.setAttribute(SENDER, slot);
      connection.getConnection().addEventListener(slot);
    }
    SenderSeries sender = slot.take(senderBudget);
    try {
      return translator.writeSnappy(body, length, sender);
    } finally {
      slot.giveBack(sender);
    }
  }

  /**
   * A connection's {@link SenderSeries}, taken by one request at a time (another request on the
   * connection at the same time, which HTTP/1.1 does not send, gets a fresh one of its own), and
   * released when the connection closes.
   */
  private static final class SenderSlot implements Connection.Listener {
    private final AtomicReference<SenderSeries> held = new AtomicReference<>();
    private volatile boolean closed;

    SenderSeries take(SenderSeries.Budget budget) {
      SenderSeries sender = held.getAndSet(null);
      return sender != null ? sender : new SenderSeries(budget);
    }

    void giveBack(SenderSeries sender) {
      if (!held.compareAndSet(null, sender)) {
        sender.release();
      } else if (closed) {
        releaseHeld(); // the connection closed while the request ran
      }
    }

    @Override
    public void onClosed(Connection connection) {
      closed = true;
      releaseHeld();
    }

    private void releaseHeld() {
      SenderSeries sender = held.getAndSet(null);
      if (sender != null) {
        sender.release();
      }
    }
  }

  /**
   * The uncompressed length a snappy block declares: its leading varint (at most 5 bytes, 32
   * bits). Read here so that nothing is allocated for a body that claims too much.
   */
  static long declaredLength(byte[] block) throws IOException {
    long length = 0;
    for (int i = 0; i < Math.min(5, block.length); i++) {
      length |= (long) (block[i] & 0x7f) << (7 * i);
      if ((block[i] & 0x80) == 0) {
        if (length > 0xffffffffL) {
          break;
        }
        return length;
      }
    }
    throw new IOException("no valid uncompressed length at its start");
  }

  private String tooLarge(String what) {
    return HttpBody.tooLarge(what, maxRequestBytes);
  }

  private static String walMessage(IOException e) {
    return "cannot log the data to disk (" + e.getMessage() + "); retry after " + IngestLimiter.RETRY_AFTER_SECONDS
        + "s";
  }

  private void fail(Context ctx, int status, Outcome outcome, String message) {
    metrics.recordRequest(Transport.REMOTE_WRITE, outcome);
    respond(ctx, status, message);
  }

  private static void respond(Context ctx, int status, String message) {
    ctx.status(status).contentType("text/plain; charset=utf-8").result(message + "\n");
  }
}
