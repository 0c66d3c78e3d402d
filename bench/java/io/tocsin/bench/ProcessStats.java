package io.tocsin.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel and the processes themselves say about a child process: CPU time and resident
 * memory from {@code /proc} (Linux), a JVM's live objects after a full GC ({@code jcmd}),
 * a value of a Prometheus text exposition ({@code /metrics}).
 */
final class ProcessStats {
  /** USER_HZ: {@code /proc/<pid>/stat} counts CPU time in these ticks; 100 on every Linux build that matters. */
  private static final double TICKS_PER_SECOND = 100;

  private ProcessStats() {}

  /** User + system CPU seconds the process used so far. */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
  }

  /**
   * User + system CPU seconds of each group of the JVM {@code pid}'s threads, from {@code
   * /proc/<pid>/task}: its JIT compiler threads, its VM and GC threads (where the serial collector
   * and safepoints run), the HTTP server's request threads, the write-ahead log's writer, and the
   * rest. Threads that ended are not counted.
   */
  static Map<String, Double> jvmCpuSeconds(long pid) throws IOException {
    Map<String, Double> groups = new LinkedHashMap<>();
    for (String group : List.of("JIT", "GC and safepoints", "HTTP requests", "WAL writer", "other")) {
      groups.put(group, 0.0);
    }
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks.toList()) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        groups.merge(groupOf(name), seconds, Double::sum);
      }
    }
    return groups;
  }

  /** The group of a thread by its name as the kernel keeps it (the first 15 bytes). */
  private static String groupOf(String name) {
    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
      return "JIT";
    } else if (name.equals("VM Thread") || name.startsWith("GC Thread") || name.startsWith("G1 ")) {
      return "GC and safepoints";
    } else if (name.startsWith("JettyServerThre")) {
      return "HTTP requests";
    } else if (name.equals("wal-writer")) {
      return "WAL writer";
    }
    return "other";
  }

  /** Resident memory now ({@code VmRSS}), bytes. */
  static long rss(long pid) throws IOException {
    return status(pid, "VmRSS:");
  }

  /** The highest resident memory so far ({@code VmHWM}), bytes. */
  static long peakRss(long pid) throws IOException {
    return status(pid, "VmHWM:");
  }

  private static long status(long pid, String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) * 1024;
      }
    }
    throw new IOException("no " + key + " in /proc/" + pid + "/status");
  }

  /**
   * The bytes of the live objects of the JVM {@code pid} after a full GC: the total of {@code jcmd
   * GC.class_histogram}, which collects and counts at the same safepoint, so nothing allocated
   * after the collection is counted (the used columns of {@code jstat -gc}, read by a JVM started
   * after it, counted 8 MB more at 1M series in one run, against none in another). The least of
   * three such counts, because a count also includes what the service held at that moment for
   * work in flight (a request, an evaluation cycle), which is not the data this figure is about.
   */
  static long heapAfterGc(long pid) throws IOException, InterruptedException {
    long least = Long.MAX_VALUE;
    for (int reading = 0; reading < 3; reading++) {
      least = Math.min(least, liveBytes(classHistogram(pid)));
    }
    return least;
  }

  /** The bytes of the "Total" line of a class histogram. */
  static long liveBytes(String histogram) throws IOException {
    for (String line : histogram.lines().toList()) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length == 3 && fields[0].equals("Total")) {
        return Long.parseLong(fields[2]);
      }
    }
    throw new IOException("no Total line in the class histogram: " + histogram.lines().limit(5).toList());
  }

  /** The live objects of the JVM {@code pid} by class, after a full GC ({@code jcmd GC.class_histogram}). */
  static String classHistogram(long pid) throws IOException, InterruptedException {
    return run("jcmd", Long.toString(pid), "GC.class_histogram");
  }

  private static String run(String... command) throws IOException, InterruptedException {
    String jdkTool = Path.of(System.getProperty("java.home"), "bin", command[0]).toString();
    command[0] = Files.isExecutable(Path.of(jdkTool)) ? jdkTool : command[0];
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** The value of an unlabelled sample in {@code url}'s Prometheus text exposition. */
  static double metric(String url, String name) throws IOException, InterruptedException {
    String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim().split(" ")[0]);
      }
    }
    throw new IOException("no " + name + " in " + url);
  }
}
