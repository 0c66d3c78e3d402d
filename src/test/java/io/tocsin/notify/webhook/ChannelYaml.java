package io.tocsin.notify.webhook;

import io.tocsin.channels.Channels;
import io.tocsin.notify.ChannelSettings;
import io.tocsin.notify.NotifierContext;
import io.tocsin.rulefiles.RuleFiles;
import io.tocsin.testing.ChannelTestData;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/** Channel declarations read from YAML the way rule files are, for the HTTP channels' tests. */
public final class ChannelYaml {
  private ChannelYaml() {}

  /**
   * The settings of the one channel in {@code channels} (the YAML list under {@code channels:},
   * each line indented by two spaces in {@code r.yml}).
   */
  public static ChannelSettings settings(String channels, List<ConfigError> errors) {
    try {
      return new ChannelSettings(new RuleFiles(Map.<String, String>of()::get).parse(Map.of("r.yml", file(channels)))
          .channels().get(0), errors);
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** The errors {@code tocsin check} reports for the channels, one {@code file:line:col: message} a line. */
  public static String errors(String channels) {
    try {
      new RuleFiles(Map.<String, String>of()::get, Channels::check).parse(Map.of("r.yml", file(channels)));
      return "";
    } catch (ConfigException e) {
      return e.getMessage();
    }
  }

  /** Parses with the channel's own parser and fails the test on any error. */
  public static <C> C parse(String channels, Function<ChannelSettings, C> parser) {
    List<ConfigError> errors = new ArrayList<>();
    C config = parser.apply(settings(channels, errors));
    if (!errors.isEmpty()) {
      throw new AssertionError("unexpected errors: " + errors);
    }
    return config;
  }

  /**
   * The notifier of the one channel in {@code channels}, parsed as {@link #parse} does, with the
   * HTTP channels' test context (state in {@code stateDir}, requests time out after 10 s).
   */
  public static <C, N> N notifier(String channels, Function<ChannelSettings, C> parser,
      BiFunction<C, NotifierContext, N> notifier, Path stateDir) {
    return notifier.apply(parse(channels, parser), ChannelTestData.context(stateDir, Duration.ofSeconds(10)));
  }

  private static String file(String channels) {
    return "channels:\n" + channels.lines().map(l -> "  " + l + "\n").reduce("", String::concat);
  }
}
