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
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * OTLP/HTTP: {@code POST /v1/metrics} with a protobuf or JSON body, optionally gzip-compressed.
 * Responses use the request's encoding; failures carry a {@code google.rpc.Status} as OTLP asks.
 */
public final class OtlpHttpServer implements AutoCloseable {
  static final String PATH = "/v1/metrics";
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  static final String OVERLOADED_MESSAGE =
      "too many export requests in flight (limits.max_inflight_requests); retry after "
          + IngestLimiter.RETRY_AFTER_SECONDS + "s";

  private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private final Javalin app;

  private OtlpHttpServer(Javalin app) {
    this.app = app;
  }

  public static OtlpHttpServer start(InetSocketAddress address, long maxRequestBytes, OtlpIngest ingest) {
    Handler handler = new Handler(ingest, maxRequestBytes);
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = address.getHostString();
      config.jetty.port = address.getPort();
      config.routes.post(PATH, handler::export);
      config.routes.get(PATH, handler::methodNotAllowed);
      config.routes.put(PATH, handler::methodNotAllowed);
      config.routes.patch(PATH, handler::methodNotAllowed);
      config.routes.delete(PATH, handler::methodNotAllowed);
      config.routes.exception(Exception.class, (e, ctx) ->
          handler.fail(ctx, Encoding.JSON, 500, Code.INTERNAL, Outcome.ERROR, "internal error: " + e.getClass().getSimpleName()));
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

    Handler(OtlpIngest ingest, long maxRequestBytes) {
      this.ingest = ingest;
      this.maxRequestBytes = maxRequestBytes;
    }

    void export(Context ctx) throws IOException {
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
      if (!ingest.tryAdmit(Transport.HTTP)) {
        ctx.header("Retry-After", Integer.toString(IngestLimiter.RETRY_AFTER_SECONDS));
        respondStatus(ctx, encoding, 503, Code.UNAVAILABLE, OVERLOADED_MESSAGE);
        return;
      }
      byte[] protobuf;
      try {
        byte[] body = readBounded(ctx.req().getInputStream(), "request body");
        if (gzip) {
          body = gunzip(body);
        }
        protobuf = encoding == Encoding.PROTOBUF ? body : jsonToProtobuf(body);
      } catch (TooLargeException e) {
        ingest.fail(Transport.HTTP, Outcome.TOO_LARGE);
        respondStatus(ctx, encoding, 413, Code.RESOURCE_EXHAUSTED, e.getMessage());
        return;
      } catch (InvalidRequestException e) {
        ingest.fail(Transport.HTTP, Outcome.INVALID);
        respondStatus(ctx, encoding, 400, Code.INVALID_ARGUMENT, e.getMessage());
        return;
      } catch (IOException | RuntimeException e) {
        ingest.fail(Transport.HTTP, Outcome.ERROR);
        throw e;
      }
      try {
        respond(ctx, encoding, 200, ingest.export(Transport.HTTP, protobuf));
      } catch (InvalidRequestException e) {
        respondStatus(ctx, encoding, 400, Code.INVALID_ARGUMENT, e.getMessage());
      }
    }

    void methodNotAllowed(Context ctx) {
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

    private byte[] gunzip(byte[] body) throws IOException, TooLargeException, InvalidRequestException {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        return readBounded(in, "decompressed request body");
      } catch (ZipException | EOFException e) {
        throw new InvalidRequestException("request body is not valid gzip: " + e.getMessage());
      }
    }

    private byte[] readBounded(InputStream in, String what) throws IOException, TooLargeException {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxRequestBytes + 1));
      if (bytes.length > maxRequestBytes) {
        throw new TooLargeException(tooLarge(what));
      }
      return bytes;
    }

    private String tooLarge(String what) {
      return what + " exceeds limits.max_request_bytes (" + maxRequestBytes + ")";
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

  /** The body, or what it inflates to, is over limits.max_request_bytes. */
  private static final class TooLargeException extends Exception {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }
}
