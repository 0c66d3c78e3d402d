package io.tocsin.ingest;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.tocsin.ingest.IngestMetrics.Outcome;
import io.tocsin.ingest.IngestMetrics.Transport;
import io.tocsin.ingest.OtlpIngest.InvalidRequestException;
import io.tocsin.ingest.OtlpIngest.OverloadedException;
import io.tocsin.ingest.OtlpIngest.TooLargeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC: {@code opentelemetry.proto.collector.metrics.v1.MetricsService/Export}.
 *
 * <p>The method is registered with a pass-through request marshaller: the body reaches {@link
 * OtlpDecoder} as bytes, without protobuf's object model in between, and a body that is not a
 * valid request gets INVALID_ARGUMENT, as OTLP asks, instead of the INTERNAL that gRPC's own
 * protobuf marshaller reports.
 *
 * <p>gRPC hands a call to the handler only once its message has arrived whole, so a slow client
 * holds no in-flight permit and no thread, only its stream; streams per connection and idle
 * connections are bounded, connections per client are not (grpc-java has no such bound).
 */
public final class OtlpGrpcServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OtlpGrpcServer.class);
  /**
   * Calls one connection may have open at once (HTTP/2 MAX_CONCURRENT_STREAMS); a client asking
   * for more waits for a stream. Each open call may buffer up to a whole message.
   */
  static final int CALLS_PER_CONNECTION = 32;
  /** A connection without calls for this long is closed; exporters reconnect on their next export. */
  static final Duration MAX_CONNECTION_IDLE = Duration.ofMinutes(5);

  private final Server server;
  private final ExecutorService executor;

  private OtlpGrpcServer(Server server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Listens for OTLP/gRPC exports.
   *
   * @param maxMessageBytes largest message, before and after gzip
   * @param handshakeTimeout how long a new connection may take to start HTTP/2
   */
  public static OtlpGrpcServer start(InetSocketAddress address, int maxMessageBytes, Duration handshakeTimeout,
      OtlpIngest ingest) throws IOException {
    MethodDescriptor<Received, ExportMetricsServiceResponse> export =
        MethodDescriptor.<Received, ExportMetricsServiceResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MetricsServiceGrpc.getExportMethod().getFullMethodName())
            .setRequestMarshaller(new BytesMarshaller(maxMessageBytes))
            .setResponseMarshaller(ProtoUtils.marshaller(ExportMetricsServiceResponse.getDefaultInstance()))
            .build();
    ServerServiceDefinition service = ServerServiceDefinition.builder(MetricsServiceGrpc.SERVICE_NAME)
        .addMethod(export, ServerCalls.asyncUnaryCall((received, observer) -> export(ingest, received, observer)))
        .build();
    ExecutorService executor = Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), namedThreads("otlp-grpc-"));
    Server server = NettyServerBuilder.forAddress(address)
        .maxInboundMessageSize(maxMessageBytes)
        .maxConcurrentCallsPerConnection(CALLS_PER_CONNECTION)
        .maxConnectionIdle(MAX_CONNECTION_IDLE.toMillis(), TimeUnit.MILLISECONDS)
        .handshakeTimeout(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .executor(executor)
        .addStreamTracerFactory(new TransportFailureCounter(ingest))
        .addService(service)
        .build();
    try {
      server.start();
    } catch (IOException e) {
      executor.shutdownNow();
      throw new IOException("cannot listen for OTLP/gRPC on " + address + ": " + e.getMessage(), e);
    }
    return new OtlpGrpcServer(server, executor);
  }

  public int port() {
    return server.getPort();
  }

  private static void export(OtlpIngest ingest, Received received, StreamObserver<ExportMetricsServiceResponse> observer) {
    if (received.tooLarge() != null) {
      observer.onError(Status.RESOURCE_EXHAUSTED.withDescription(received.tooLarge()).asRuntimeException());
      return;
    }
    ExportMetricsServiceResponse response;
    try {
      response = ingest.export(Transport.GRPC, received::body);
    } catch (OverloadedException e) {
      observer.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.UNAVAILABLE_VALUE)
          .setMessage(e.getMessage())
          .addDetails(Any.pack(RetryInfo.newBuilder()
              .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(IngestLimiter.RETRY_AFTER_SECONDS))
              .build()))
          .build()));
      return;
    } catch (InvalidRequestException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (TooLargeException e) {
      observer.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      log.warn("OTLP/gRPC request failed", e);
      observer.onError(Status.INTERNAL.withDescription("internal error: " + e.getClass().getSimpleName())
          .asRuntimeException());
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  /** Stops accepting calls, lets running ones finish for a few seconds, then cancels the rest. */
  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    executor.shutdownNow();
  }

  static ThreadFactory namedThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * The request bytes, or why there are none: a gzip message over the size limit is found only
   * while it is read here, and an exception from a marshaller would end the call as UNKNOWN (with
   * a stack trace in the log), so the refusal travels to the handler instead.
   */
  private record Received(byte[] body, String tooLarge) {}

  /** Hands the request bytes through; {@link OtlpIngest#export} decodes them. */
  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<Received> {
    private final int maxMessageBytes;

    BytesMarshaller(int maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public InputStream stream(Received value) {
      return new ByteArrayInputStream(value.body());
    }

    @Override
    public Received parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) {
          // One exact allocation instead of readAllBytes' chunks and final copy.
          byte[] bytes = new byte[stream.available()];
          int read = stream.readNBytes(bytes, 0, bytes.length);
          if (read == bytes.length && stream.read() < 0) {
            return new Received(bytes, null);
          }
          throw new IOException("message length changed while reading");
        }
        return new Received(stream.readAllBytes(), null);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED) {
          throw e;
        }
        // gRPC's decompressing stream stops at maxInboundMessageSize.
        return new Received(null,
            "decompressed request body exceeds limits.max_request_bytes (" + maxMessageBytes + ")");
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("cannot read request: " + e.getMessage()).asRuntimeException();
      }
    }
  }

  /**
   * Counts calls that gRPC ends before the handler sees them, such as a message over the size
   * limit (RESOURCE_EXHAUSTED); the handler counts its own outcomes.
   */
  private static final class TransportFailureCounter extends ServerStreamTracer.Factory {
    private final OtlpIngest ingest;

    TransportFailureCounter(OtlpIngest ingest) {
      this.ingest = ingest;
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
      return new ServerStreamTracer() {
        @Override
        public void streamClosed(Status status) {
          switch (status.getCode()) {
            case OK, INVALID_ARGUMENT, UNAVAILABLE -> { } // counted by the handler
            case RESOURCE_EXHAUSTED -> ingest.record(Transport.GRPC, Outcome.TOO_LARGE);
            default -> ingest.record(Transport.GRPC, Outcome.ERROR);
          }
        }
      };
    }
  }
}
