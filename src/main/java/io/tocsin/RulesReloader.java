package io.tocsin;

import io.tocsin.api.Reloader;
import io.tocsin.channels.Channels;
import io.tocsin.config.ServerConfig;
import io.tocsin.notify.NotificationDispatcher;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.rulefiles.RuleSet;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the rule files into the engine, at start and on request ({@code POST /-/reload},
 * SIGHUP, a change to a rule file). A set with errors is rejected whole: the errors are logged
 * and returned, and the rules loaded before keep running.
 */
final class RulesReloader implements Reloader, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RulesReloader.class);
  /** Editors save in several steps; one reload after the burst is enough. */
  private static final long SETTLE_MS = 500;
  /** How long a reload waits for other triggers to join it. */
  private static final long GATHER_MS = 100;

  private final ServerConfig config;
  private final MonitorEngine engine;
  private final NotificationDispatcher notifications;
  private final SeriesStore store;
  private final RuleFiles ruleFiles;
  private volatile RuleSet current = RuleSet.EMPTY;
  /** Reload requests so far; each one's number is its ticket. */
  private final AtomicLong requests = new AtomicLong();
  /** The requests that the latest reload served (it began after them); guarded by this. */
  private long covered;
  private Result lastResult;
  private WatchService watcher;
  private Thread watchThread;

  RulesReloader(ServerConfig config, MonitorEngine engine, NotificationDispatcher notifications, SeriesStore store) {
    this.config = config;
    Map<String, Map<String, MetricKind>> datasources = new HashMap<>();
    config.datasources().forEach(d -> datasources.put(d.name(), d.kinds()));
    this.ruleFiles = new RuleFiles(System::getenv, Channels::check).withDatasources(datasources);
    this.engine = engine;
    this.notifications = notifications;
    this.store = store;
  }

  /** Loads the rules for startup; errors stop the start. */
  void loadInitial() throws ConfigException, IOException {
    List<Path> files = RuleFiles.resolve(config.baseDir(), config.ruleFiles());
    if (files.isEmpty()) {
      log.warn("no rule files match {} (relative to {}); no monitors are loaded", config.ruleFiles(), config.baseDir());
    }
    apply(ruleFiles.load(files), files);
  }

  RuleSet current() {
    return current;
  }

  /**
   * Reloads, unless a reload that began after this request already read the files: triggers
   * that arrive together (the file watcher, {@code POST /-/reload}, SIGHUP) share one reload,
   * and each caller gets the result of a reload that read the files after it asked.
   */
  @Override
  public Result reload() {
    return reloadFor(requests.incrementAndGet());
  }

  private synchronized Result reloadFor(long request) {
    if (covered >= request) {
      return lastResult;
    }
    try {
      // A short wait lets triggers arriving together join this reload.
      Thread.sleep(GATHER_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    covered = requests.get();
    lastResult = readAndApply();
    return lastResult;
  }

  private synchronized boolean served(long request) {
    return covered >= request;
  }

  private Result readAndApply() {
    List<Path> files;
    try {
      files = RuleFiles.resolve(config.baseDir(), config.ruleFiles());
    } catch (IOException e) {
      log.error("reload failed: cannot list rule files: {}", e.toString());
      return new Result(false, current.monitors().size(), List.of("cannot list rule files: " + e.getMessage()));
    }
    try {
      apply(ruleFiles.load(files), files);
      return new Result(true, current.monitors().size(), List.of());
    } catch (ConfigException e) {
      log.error("reload rejected; the previous rules keep running:\n{}", e.getMessage());
      return new Result(false, current.monitors().size(), e.errors().stream().map(ConfigError::toString).toList());
    }
  }

  private void apply(RuleSet rules, List<Path> files) throws ConfigException {
    notifications.configure(rules.channels(), rules.routing());
    rules.warnings().forEach(w -> log.warn("{}", w));
    store.ensureRetention(rules.longestWindow());
    engine.load(rules.monitors());
    current = rules;
    log.info("loaded {} monitors and {} channels from {} rule files", rules.monitors().size(), rules.channels().size(),
        files.size());
  }

  /** Reloads when a {@code .yml} or {@code .yaml} file changes in a directory the globs reach. */
  void watchFiles() throws IOException {
    watcher = FileSystems.getDefault().newWatchService();
    Set<Path> directories = new HashSet<>();
    for (Path file : RuleFiles.resolve(config.baseDir(), config.ruleFiles())) {
      directories.add(file.getParent());
    }
    for (String pattern : config.ruleFiles()) {
      Path fixed = config.baseDir().resolve(pattern.replaceAll("[*?\\[{].*$", "")).normalize();
      directories.add(Files.isDirectory(fixed) ? fixed : fixed.getParent());
    }
    for (Path directory : directories) {
      if (directory != null && Files.isDirectory(directory)) {
        directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    }
    watchThread = new Thread(this::watch, "rule-file-watcher");
    watchThread.setDaemon(true);
    watchThread.start();
  }

  private void watch() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        if (!relevant(key)) {
          continue;
        }
        // The change is a request now: a reload that begins from here on (POST /-/reload
        // right after saving, say) reads it, and this one then has nothing left to do.
        long request = requests.incrementAndGet();
        // Let the burst of writes settle, then reload once for all of it. Each write is a
        // request as soon as it is seen, so that a reload beginning later covers it.
        long settled = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        for (long left; (left = settled - System.nanoTime()) > 0; ) {
          WatchKey more = watcher.poll(left, TimeUnit.NANOSECONDS);
          if (more != null && relevant(more)) {
            request = requests.incrementAndGet();
          }
        }
        if (served(request)) {
          log.info("rule files changed; a reload since has read them");
        } else {
          log.info("rule files changed; reloading");
          reloadFor(request);
        }
      }
    } catch (InterruptedException e) {
      // closing; the flag stays set for whoever runs this thread
      Thread.currentThread().interrupt();
    } catch (ClosedWatchServiceException e) {
      // closing
    }
  }

  private static boolean relevant(WatchKey key) {
    boolean relevant = key.pollEvents().stream()
        .map(e -> String.valueOf(e.context()))
        .anyMatch(name -> name.endsWith(".yml") || name.endsWith(".yaml"));
    key.reset();
    return relevant;
  }

  /** Reloads on SIGHUP, where the platform has signals. */
  void reloadOnSighup() {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(),
          new Class<?>[] {handlerClass}, (proxy, method, args) -> {
            if (method.getName().equals("handle")) {
              log.info("SIGHUP: reloading rule files");
              new Thread(this::reload, "sighup-reload").start();
            }
            return null;
          });
      Object hup = signalClass.getConstructor(String.class).newInstance("HUP");
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, hup, handler);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("cannot reload on SIGHUP here ({}); use POST /-/reload", e.toString());
    }
  }

  @Override
  public void close() throws IOException {
    if (watcher != null) {
      watcher.close();
    }
  }
}
