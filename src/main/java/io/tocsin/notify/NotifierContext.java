package io.tocsin.notify;

import io.tocsin.config.ServerConfig;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * What a channel's notifier may use besides its own settings.
 *
 * @param stateDir a directory of the channel's own, for what it must remember across restarts
 *     (such as the Slack messages that resolutions are threaded under)
 * @param smtp the server's mail settings, or null when {@code tocsin.yml} has none
 * @param http a shared HTTP client for channels that speak plain HTTP
 * @param requestTimeout how long one request may take before it counts as a network error
 */
public record NotifierContext(Clock clock, Path stateDir, ServerConfig.Smtp smtp, String externalUrl, HttpClient http,
    Duration requestTimeout) {

  public NotifierContext forChannel(Path channelDir) {
    return new NotifierContext(clock, channelDir, smtp, externalUrl, http, requestTimeout);
  }
}
