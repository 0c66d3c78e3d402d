package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Code;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.tocsin.ingest.IngestMetrics.Outcome;
import io.tocsin.ingest.IngestMetrics.Transport;
import io.tocsin.ingest.OtlpIngest.InvalidRequestException;
import io.tocsin.ingest.OtlpIngest.OverloadedException;
import io.tocsin.ingest.OtlpIngest.TooLargeException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.eclipse.jetty.server.handler.ThreadLimitHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP: {@code POST /v1/metrics} with a protobuf or JSON body, optionally gzip-compressed.
 * Responses use the request's encoding; failures carry a {@code google.rpc.Status} as OTLP asks.
 *
 * <p>Slow clients cannot starve ingest: a body is read whole, within limits.request_read_timeout,
 * before the request asks for one of the in-flight permits, which thus bound only inflating,
 * decoding and writing. While reading, a request holds a Jetty thread; one client (remote
 * address) holds at most {@link #THREADS_PER_CLIENT} of them, and its further requests wait
 * without a thread.
 */
public final class OtlpHttpServer implements AutoCloseable {
  static final String PATH = "/v1/metrics";
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  /**
   * Jetty threads one remote address may hold at once. Above what an OpenTelemetry Collector
   * uses by default (10 concurrent exports), far below Jetty's pool (250 threads).
   */
  static final int THREADS_PER_CLIENT = 16;

  private static final Logger log = LoggerFactory.getLogger(OtlpHttpServer.class);
  private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private final Javalin app;

  private OtlpHttpServer(Javalin app) {
    this.app = app;
  }

  /**
   * Listens for OTLP/HTTP exports.
   *
   * @param maxRequestBytes largest body, before and after gunzip
   * @param readTimeout how long a request's body may take to arrive
   */
  public static OtlpHttpServer start(InetSocketAddress address, long maxRequestBytes, Duration readTimeout,
      OtlpIngest ingest) {
    Handler handler = new Handler(ingest, maxRequestBytes, readTimeout);
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = address.getHostString();
      config.jetty.port = address.getPort();
      config.jetty.modifyServer(server -> {
        ThreadLimitHandler perClient = new ThreadLimitHandler();
        perClient.setThreadLimit(THREADS_PER_CLIENT);
        server.setHandler(perClient); // Javalin puts its own handler inside
      });
      // Every method but POST, including HEAD, OPTIONS, TRACE and unknown ones, gets 405.
      config.routes.before(PATH, handler::rejectOtherMethods);
      config.routes.post(PATH, handler::export);
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.warn("OTLP/HTTP request failed", e);
        handler.fail(ctx, Encoding.JSON, 500, Code.INTERNAL, Outcome.ERROR, "internal error: " + e.getClass().getSimpleName());
      });
    });
    try {
      app.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot listen for OTLP/HTTP on " + address + ": " + e.getMessage(), e);
    }
    return new OtlpHttpServer(app);
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private enum Encoding {
    PROTOBUF(OtlpHttpServer.PROTOBUF),
    JSON(OtlpHttpServer.JSON);

    final String contentType;

    Encoding(String contentType) {
      this.contentType = contentType;
    }

    /** The encoding named by a Content-Type header (parameters ignored), or null. */
    static Encoding of(String contentTypeHeader) {
      if (contentTypeHeader == null) {
        return null;
      }
      String media = contentTypeHeader.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      return switch (media) {
        case OtlpHttpServer.PROTOBUF -> PROTOBUF;
        case OtlpHttpServer.JSON -> JSON;
        default -> null;
      };
    }
  }

  private static final class Handler {
    private final OtlpIngest ingest;
    private final long maxRequestBytes;
    private final Duration readTimeout;

    Handler(OtlpIngest ingest, long maxRequestBytes, Duration readTimeout) {
      this.ingest = ingest;
      this.maxRequestBytes = maxRequestBytes;
      this.readTimeout = readTimeout;
    }

    void export(Context ctx) throws IOException {
      try {
        exportChecked(ctx);
      } catch (Error e) {
        // Jetty answers 500; count it here, as the exception handler does for exceptions.
        ingest.record(Transport.HTTP, Outcome.ERROR);
        throw e;
      }
    }

    private void exportChecked(Context ctx) throws IOException {
      Encoding encoding = Encoding.of(ctx.contentType());
      if (encoding == null) {
        String given = ctx.contentType() == null ? "none" : "\"" + ctx.contentType() + "\"";
        fail(ctx, Encoding.JSON, 415, Code.INVALID_ARGUMENT, Outcome.UNSUPPORTED,
            "unsupported Content-Type " + given + "; send " + PROTOBUF + " or " + JSON);
        return;
      }
      String contentEncoding = ctx.header("Content-Encoding");
      boolean gzip = contentEncoding != null && contentEncoding.trim().equalsIgnoreCase("gzip");
      if (contentEncoding != null && !gzip && !contentEncoding.trim().equalsIgnoreCase("identity")) {
        fail(ctx, encoding, 415, Code.INVALID_ARGUMENT, Outcome.UNSUPPORTED,
            "unsupported Content-Encoding \"" + contentEncoding + "\"; send gzip or no encoding");
        return;
      }
      long declared = ctx.req().getContentLengthLong();
      if (declared > maxRequestBytes) {
        fail(ctx, encoding, 413, Code.RESOURCE_EXHAUSTED, Outcome.TOO_LARGE,
            tooLarge("request body of " + declared + " bytes"));
        return;
      }
      byte[] body;
      try {
        body = HttpBody.read(ctx, declared, maxRequestBytes, readTimeout);
      } catch (TooLargeException e) {
        fail(ctx, encoding, 413, Code.RESOURCE_EXHAUSTED, Outcome.TOO_LARGE, e.getMessage());
        return;
      } catch (HttpBody.ReadTimeoutException e) {
        ctx.header("Connection", "close");
        fail(ctx, encoding, 408, Code.DEADLINE_EXCEEDED, Outcome.TIMEOUT, e.getMessage());
        return;
      } catch (IOException e) {
        // The client went away mid-body: nobody to answer, and no stack trace per such client.
        log.debug("OTLP/HTTP request body broke off: {}", e.toString());
        ingest.record(Transport.HTTP, Outcome.ERROR);
        return;
      }
      try {
        respond(ctx, encoding, 200, ingest.export(Transport.HTTP, () -> {
          byte[] plain = gzip ? gunzip(body) : body;
          return encoding == Encoding.PROTOBUF ? plain : jsonToProtobuf(plain);
        }));
      } catch (OverloadedException e) {
        ctx.header("Retry-After", Integer.toString(IngestLimiter.RETRY_AFTER_SECONDS));
        respondStatus(ctx, encoding, 503, Code.UNAVAILABLE, e.getMessage());
      } catch (TooLargeException e) {
        respondStatus(ctx, encoding, 413, Code.RESOURCE_EXHAUSTED, e.getMessage());
      } catch (InvalidRequestException e) {
        respondStatus(ctx, encoding, 400, Code.INVALID_ARGUMENT, e.getMessage());
      }
    }

    void rejectOtherMethods(Context ctx) {
      if (ctx.method().name().equals("POST")) {
        return;
      }
      ctx.skipRemainingHandlers();
      ctx.header("Allow", "POST");
      fail(ctx, Encoding.JSON, 405, Code.UNIMPLEMENTED, Outcome.UNSUPPORTED,
          "method " + ctx.method() + " is not allowed on " + PATH + "; use POST");
    }

    /** OTLP JSON is the proto3 JSON mapping; decoding goes on from the protobuf form. */
    private static byte[] jsonToProtobuf(byte[] body) throws InvalidRequestException {
      ExportMetricsServiceRequest.Builder builder = ExportMetricsServiceRequest.newBuilder();
      try {
        JSON_PARSER.merge(new String(body, StandardCharsets.UTF_8), builder);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        throw new InvalidRequestException("request body is not a valid OTLP JSON ExportMetricsServiceRequest: "
            + e.getMessage());
      }
      return builder.build().toByteArray();
    }

    private byte[] gunzip(byte[] body) throws TooLargeException, InvalidRequestException {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBytes + 1));
        if (bytes.length > maxRequestBytes) {
          throw new TooLargeException(tooLarge("decompressed request body"));
        }
        return bytes;
      } catch (ZipException | EOFException e) {
        throw new InvalidRequestException("request body is not valid gzip: " + e.getMessage());
      } catch (IOException e) {
        throw new UncheckedIOException(e); // cannot happen: the bytes are in memory
      }
    }

    private String tooLarge(String what) {
      return HttpBody.tooLarge(what, maxRequestBytes);
    }

    void fail(Context ctx, Encoding encoding, int httpStatus, Code code, Outcome outcome, String message) {
      ingest.record(Transport.HTTP, outcome);
      respondStatus(ctx, encoding, httpStatus, code, message);
    }

    private static void respondStatus(Context ctx, Encoding encoding, int httpStatus, Code code, String message) {
      respond(ctx, encoding, httpStatus,
          com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage(message).build());
    }

    private static void respond(Context ctx, Encoding encoding, int httpStatus, Message message) {
      ctx.status(httpStatus).contentType(encoding.contentType);
      if (encoding == Encoding.PROTOBUF) {
        ctx.result(message.toByteArray());
        return;
      }
      try {
        ctx.result(JSON_PRINTER.print(message));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName(), e);
      }
    }
  }
}
