package io.tocsin.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged {@code tocsin.jar} running {@code serve} in a child process, as a user runs it. */
public final class JarProcess implements AutoCloseable {
  private static final Pattern PORT = Pattern.compile("(OTLP/gRPC|OTLP/HTTP|REST API and /metrics) listening on [^:]+:(\\d+)");

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private JarProcess(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(lines::add);
      } catch (IOException e) {
        // the process ended
      }
    });
    reader.start();
  }

  /** Starts {@code serve --config config} and waits until it says it is ready. */
  public static JarProcess serve(Path config) throws Exception {
    return serve(config, Map.of());
  }

  /** Like {@link #serve(Path)}, with these environment variables added. */
  public static JarProcess serve(Path config, Map<String, String> env) throws Exception {
    String packaged = System.getProperty("tocsin.jar");
    // The integration tests run the packaged jar, compiled by C1 only: several processes start on
    // two cores, and tests need them quickly, not at peak speed. A benchmark started from the
    // classes runs those with the full JIT, as a user's service does.
    return serve(config, env, packaged != null ? List.of("-XX:TieredStopAtLevel=1") : List.of());
  }

  /**
   * Like {@link #serve(Path, Map)}, with these JVM flags (heap, collector): the packaged jar when
   * the {@code tocsin.jar} property names it, else the classes on this JVM's class path.
   */
  public static JarProcess serve(Path config, Map<String, String> env, List<String> jvmFlags) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String packaged = System.getProperty("tocsin.jar");
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmFlags);
    command.addAll(packaged != null ? List.of("-jar", packaged)
        : List.of("-cp", System.getProperty("java.class.path"), "io.tocsin.cli.Main"));
    command.addAll(List.of("serve", "--config", config.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    JarProcess jar = new JarProcess(process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (jar.lines.stream().noneMatch(l -> l.contains("Tocsin is ready"))) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        jar.kill();
        throw new AssertionError("tocsin serve did not start; output: " + jar.lines);
      }
      Thread.sleep(50);
    }
    return jar;
  }

  public int port(String what) {
    return lines.stream().map(PORT::matcher).filter(Matcher::find).filter(m -> m.group(1).equals(what))
        .mapToInt(m -> Integer.parseInt(m.group(2))).findFirst().orElseThrow();
  }

  public int httpPort() {
    return port("REST API and /metrics");
  }

  public int grpcPort() {
    return port("OTLP/gRPC");
  }

  public List<String> lines() {
    return lines;
  }

  /** SIGTERM, and the exit code once it stopped. */
  public int terminate() throws InterruptedException {
    process.toHandle().destroy(); // Process.destroy() would also close our end of its output
    process.waitFor(20, TimeUnit.SECONDS);
    reader.join(5000);
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook, no last write. */
  public void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
    reader.join(5000);
  }

  /** SIGSTOP: the process is frozen, its sockets stay open, as a hung or partitioned machine looks to peers. */
  public void pause() throws Exception {
    signal("-STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws Exception {
    signal("-CONT");
  }

  private void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
