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
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

/** Cluster settings on loopback for tests: free ports, a static member list, and waiting for views. */
public final class TestClusters {
  private TestClusters() {}

  /** Below the ports the kernel hands out to outgoing connections (Linux's default range starts at 32768). */
  private static final int LOWEST = 20_000;
  private static final int HIGHEST = 32_000;

  /**
   * {@code count} free ports, each with the 5 ports 100 above it free too (JGroups' failure
   * detection listens there). They are picked below the ephemeral range: a port the operating
   * system picked would be free when asked, but any outgoing connection (another member's) may
   * take it before the member that is to listen on it starts.
   */
  public static List<Integer> freePorts(int count) {
    List<Integer> ports = new ArrayList<>();
    SplittableRandom random = new SplittableRandom();
    for (int tries = 0; ports.size() < count; tries++) {
      if (tries == 10_000) {
        throw new IllegalStateException("no free ports between " + LOWEST + " and " + HIGHEST);
      }
      int port = random.nextInt(LOWEST, HIGHEST - 106);
      boolean apart = ports.stream().allMatch(p -> Math.abs(p - port) > 110);
      if (apart && free(port) && IntStream.range(100, 106).allMatch(d -> free(port + d))) {
        ports.add(port);
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
