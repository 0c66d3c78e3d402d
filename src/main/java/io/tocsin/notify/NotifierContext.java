package io.tocsin.notify;

import io.tocsin.config.ServerConfig;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a channel's notifier may use besides its own settings.
 *
 * @param stateDir a directory of the channel's own, for what it must remember across restarts
 *     (such as the Slack messages that resolutions are threaded under)
 * @param smtp the server's mail settings, or null when {@code tocsin.yml} has none
 * @param sharedHttp the HTTP client shared by channels that speak plain HTTP, built when one first
 *     asks for it ({@link #http()}); see {@link #lazyHttp}
 * @param requestTimeout how long one request may take before it counts as a network error
 */
public record NotifierContext(Clock clock, Path stateDir, ServerConfig.Smtp smtp, String externalUrl,
    Supplier<HttpClient> sharedHttp, Duration requestTimeout) {

  public NotifierContext(Clock clock, Path stateDir, ServerConfig.Smtp smtp, String externalUrl, HttpClient http,
      Duration requestTimeout) {
    this(clock, stateDir, smtp, externalUrl, () -> http, requestTimeout);
  }

  /** The shared HTTP client. */
  public HttpClient http() {
    return sharedHttp.get();
  }

  public NotifierContext forChannel(Path channelDir) {
    return new NotifierContext(clock, channelDir, smtp, externalUrl, sharedHttp, requestTimeout);
  }

  /**
   * A client built by {@code build} on the first call, the same one after. A server whose channels
   * speak no HTTP (only the log, or none) never builds one: building it loads the TLS stack and the
   * trusted certificates (about 1,100 classes, 2 MB of heap) and starts a selector thread.
   */
  public static Supplier<HttpClient> lazyHttp(Supplier<HttpClient> build) {
    return new Supplier<>() {
      private HttpClient client;

      @Override
      public synchronized HttpClient get() {
        if (client == null) {
          client = build.get();
        }
        return client;
      }
    };
  }
}
