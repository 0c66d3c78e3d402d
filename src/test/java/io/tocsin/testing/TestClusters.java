package io.tocsin.testing;

import io.tocsin.config.HostPort;
import io.tocsin.config.ServerConfig;
import io.tocsin.yaml.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/** Cluster settings on loopback for tests: free ports, a static member list, and waiting for views. */
public final class TestClusters {
  private TestClusters() {}

  /**
   * {@code count} free ports, each with the 5 ports 100 above it free too (JGroups' failure
   * detection listens there), as picked by the operating system.
   */
  public static List<Integer> freePorts(int count) {
    List<Integer> ports = new ArrayList<>();
    while (ports.size() < count) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = s.getLocalPort();
        if (port < 65_000 && IntStream.range(100, 106).allMatch(d -> free(port + d))) {
          ports.add(port);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return ports;
  }

  private static boolean free(int port) {
    try {
      new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A member on 127.0.0.1:{@code port} of a cluster listing every one of {@code ports}. */
  public static ServerConfig.Cluster member(String name, int port, List<Integer> ports, String secret) {
    List<HostPort> members = ports.stream().map(p -> new HostPort("127.0.0.1", p)).toList();
    return new ServerConfig.Cluster(name, new HostPort("127.0.0.1", port), members, null, Secret.of(secret),
        Duration.ofSeconds(3), null);
  }

  /** Waits up to 30 s for {@code condition}; fails naming {@code what}. */
  public static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
