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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OTLP/gRPC: {@code opentelemetry.proto.collector.metrics.v1.MetricsService/Export}.
 *
 * <p>The method is registered with a pass-through request marshaller: the body reaches {@link
 * OtlpDecoder} as bytes, without protobuf's object model in between, and a body that is not a
 * valid request gets INVALID_ARGUMENT, as OTLP asks, instead of the INTERNAL that gRPC's own
 * protobuf marshaller reports.
 */
public final class OtlpGrpcServer implements AutoCloseable {
  private static final MethodDescriptor<byte[], ExportMetricsServiceResponse> EXPORT =
      MethodDescriptor.<byte[], ExportMetricsServiceResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MetricsServiceGrpc.getExportMethod().getFullMethodName())
          .setRequestMarshaller(new BytesMarshaller())
          .setResponseMarshaller(ProtoUtils.marshaller(ExportMetricsServiceResponse.getDefaultInstance()))
          .build();

  private final Server server;
  private final ExecutorService executor;

  private OtlpGrpcServer(Server server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static OtlpGrpcServer start(InetSocketAddress address, int maxMessageBytes, OtlpIngest ingest)
      throws IOException {
    ServerServiceDefinition service = ServerServiceDefinition.builder(MetricsServiceGrpc.SERVICE_NAME)
        .addMethod(EXPORT, ServerCalls.asyncUnaryCall((body, observer) -> export(ingest, body, observer)))
        .build();
    ExecutorService executor = Executors.newFixedThreadPool(
        Math.max(2, Runtime.getRuntime().availableProcessors()), namedThreads("otlp-grpc-"));
    Server server = NettyServerBuilder.forAddress(address)
        .maxInboundMessageSize(maxMessageBytes)
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

  private static void export(OtlpIngest ingest, byte[] body, StreamObserver<ExportMetricsServiceResponse> observer) {
    if (!ingest.tryAdmit(Transport.GRPC)) {
      observer.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.UNAVAILABLE_VALUE)
          .setMessage(OtlpHttpServer.OVERLOADED_MESSAGE)
          .addDetails(Any.pack(RetryInfo.newBuilder()
              .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(IngestLimiter.RETRY_AFTER_SECONDS))
              .build()))
          .build()));
      return;
    }
    ExportMetricsServiceResponse response;
    try {
      response = ingest.export(Transport.GRPC, body);
    } catch (InvalidRequestException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
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

  /** Hands the request bytes through; {@link OtlpIngest#parse} decodes them. */
  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) {
          // One exact allocation instead of readAllBytes' chunks and final copy.
          byte[] bytes = new byte[stream.available()];
          int read = stream.readNBytes(bytes, 0, bytes.length);
          if (read == bytes.length && stream.read() < 0) {
            return bytes;
          }
          throw new IOException("message length changed while reading");
        }
        return stream.readAllBytes();
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
