package io.tocsin.rulefiles;

import io.tocsin.channels.Channels;
import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.notify.route.Routing;
import io.tocsin.notify.route.RoutingParser;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.MonitorParser;
import io.tocsin.store.MetricKind;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Mark;
import io.tocsin.yaml.YamlNode;
import io.tocsin.yaml.YamlReader;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reads rule files: each may hold {@code monitors:}, {@code channels:}, {@code routes:}, {@code
 * inhibit_rules:} and {@code time_intervals:}. Every problem in every file is collected, and any
 * problem rejects the whole set, so that a broken edit never leaves half the rules running. Routes
 * of several files are tried in file name order.
 */
public final class RuleFiles {
  private static final Set<String> TOP = Set.of("monitors", "channels", "routes", "inhibit_rules", "time_intervals");

  private final Function<String, String> env;
  private final BiConsumer<ChannelDeclaration, List<ConfigError>> channelCheck;
  private final Map<String, Map<String, MetricKind>> datasources;

  public RuleFiles(Function<String, String> env) {
    this(env, (channel, errors) -> { });
  }

  /**
   * @param channelCheck checks each channel's values beyond its keys; the notification stage
   *     knows what each channel type needs
   */
  public RuleFiles(Function<String, String> env, BiConsumer<ChannelDeclaration, List<ConfigError>> channelCheck) {
    this(env, channelCheck, null);
  }

  private RuleFiles(Function<String, String> env, BiConsumer<ChannelDeclaration, List<ConfigError>> channelCheck,
      Map<String, Map<String, MetricKind>> datasources) {
    this.env = env;
    this.channelCheck = channelCheck;
    this.datasources = datasources;
  }

  /**
   * These rule files, read knowing the datasources (name to metric kinds): a monitor's unknown
   * {@code datasource:} is an error, and its query is translated with that datasource's kinds.
   */
  public RuleFiles withDatasources(Map<String, Map<String, MetricKind>> known) {
    return new RuleFiles(env, channelCheck, Map.copyOf(known));
  }

  /** The files matching {@code patterns} (globs relative to {@code baseDir}), sorted. */
  public static List<Path> resolve(Path baseDir, List<String> patterns) throws IOException {
    Set<Path> files = new TreeSet<>();
    for (String pattern : patterns) {
      Path absolute = baseDir.resolve(pattern).normalize();
      Path root = absolute.getRoot() == null ? baseDir : absolute.getRoot();
      for (Path part : absolute.getRoot() == null ? absolute : absolute.getRoot().relativize(absolute)) {
        if (part.toString().matches(".*[*?\\[{].*")) {
          break;
        }
        root = root.resolve(part);
      }
      if (root.equals(absolute)) {
        if (Files.isRegularFile(absolute)) {
          files.add(absolute);
        }
        continue;
      }
      if (!Files.isDirectory(root)) {
        continue;
      }
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + absolute);
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile).filter(matcher::matches).forEach(files::add);
      }
    }
    return List.copyOf(files);
  }

  /**
   * The files named, with each directory standing for the {@code .yml} and {@code .yaml}
   * files in it (not in its subdirectories, where tests and drafts may live).
   */
  public static List<Path> expand(List<Path> filesOrDirectories) throws IOException {
    Set<Path> files = new TreeSet<>();
    for (Path path : filesOrDirectories) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.list(path)) {
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
              .forEach(files::add);
        }
      } else {
        files.add(path);
      }
    }
    return List.copyOf(files);
  }

  /** Reads and checks the files together: names must be unique across all of them. */
  public RuleSet load(List<Path> files) throws ConfigException {
    Map<String, String> texts = new LinkedHashMap<>();
    List<ConfigError> errors = new ArrayList<>();
    for (Path file : files) {
      try {
        texts.put(file.toString(), YamlReader.readFile(file, "rule file"));
      } catch (ConfigException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return parse(texts);
  }

  /** Like {@link #load}, from texts keyed by file name. */
  public RuleSet parse(Map<String, String> texts) throws ConfigException {
    List<ConfigError> errors = new ArrayList<>();
    List<YamlNode.Mapping> monitorNodes = new ArrayList<>();
    List<ChannelDeclaration> channels = new ArrayList<>();
    List<YamlNode> routeNodes = new ArrayList<>();
    List<YamlNode> inhibitNodes = new ArrayList<>();
    List<YamlNode> intervalNodes = new ArrayList<>();
    Map<String, ChannelDeclaration> channelsByName = new HashMap<>();
    YamlReader reader = new YamlReader(env);
    for (Map.Entry<String, String> file : texts.entrySet()) {
      YamlNode root;
      try {
        root = reader.read(file.getKey(), file.getValue(), errors);
      } catch (ConfigException e) {
        errors.addAll(e.errors());
        continue;
      }
      MappingReader top = MappingReader.of(root, "", TOP, errors);
      for (YamlNode node : list(top, "monitors", errors)) {
        if (node instanceof YamlNode.Mapping m) {
          monitorNodes.add(m);
        } else {
          errors.add(new ConfigError(node.mark(), "each monitor must be a mapping, got " + node.describe()));
        }
      }
      routeNodes.addAll(list(top, "routes", errors));
      inhibitNodes.addAll(list(top, "inhibit_rules", errors));
      intervalNodes.addAll(list(top, "time_intervals", errors));
      for (YamlNode node : list(top, "channels", errors)) {
        ChannelDeclaration channel = ChannelDeclaration.parse(node, Channels.TYPES.keysByType(), errors);
        if (channel == null) {
          continue;
        }
        ChannelDeclaration first = channelsByName.putIfAbsent(channel.name(), channel);
        if (first != null) {
          errors.add(new ConfigError(channel.mark(), "duplicate channel name \"" + channel.name() + "\" (first at "
              + first.mark() + ")"));
        } else {
          channelCheck.accept(channel, errors);
          channels.add(channel);
        }
      }
    }
    Set<String> channelNames = channelsByName.keySet();
    List<MonitorDefinition> monitors = new ArrayList<>();
    Map<String, Mark> names = new HashMap<>();
    Map<String, String> ids = new HashMap<>();
    for (YamlNode.Mapping node : monitorNodes) {
      MonitorDefinition monitor = MonitorParser.parse(node, channelNames, datasources, errors);
      // Names are checked whether or not the monitor has other errors: all of them at once.
      String name = nameOf(node);
      if (name != null) {
        Mark first = names.putIfAbsent(name, node.mark());
        if (first != null) {
          errors.add(new ConfigError(markOfName(node), "duplicate monitor name \"" + name + "\" (first at " + first
              + ")"));
          continue;
        }
        String id = MonitorDefinition.idOf(name);
        String other = ids.putIfAbsent(id, name);
        if (other != null) {
          errors.add(new ConfigError(markOfName(node), "monitor \"" + name + "\" would have the same id \"" + id
              + "\" as \"" + other + "\"; rename one of them"));
          continue;
        }
      }
      if (monitor != null) {
        monitors.add(monitor);
      }
    }
    List<RoutingParser.MonitorChannels> monitorChannels = monitors.stream().filter(m -> !m.channels().isEmpty())
        .map(m -> new RoutingParser.MonitorChannels(m.id(), m.name(), m.channels(), null)).toList();
    List<ConfigError> warnings = new ArrayList<>();
    Routing routing = RoutingParser.parse(routeNodes, inhibitNodes, intervalNodes, monitorChannels, channelNames,
        errors, warnings);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return new RuleSet(List.copyOf(monitors), List.copyOf(channels), routing, List.copyOf(warnings));
  }

  /** The monitor's name as written, or null when it has none (an error the parser reports). */
  private static String nameOf(YamlNode.Mapping node) {
    YamlNode.Entry name = node.entries().get("name");
    return name != null && name.value() instanceof YamlNode.Scalar scalar && !scalar.text().isBlank()
        ? scalar.text() : null;
  }

  private static Mark markOfName(YamlNode.Mapping node) {
    YamlNode.Entry name = node.entries().get("name");
    return name == null ? node.mark() : name.value().mark();
  }

  private static List<YamlNode> list(MappingReader top, String key, List<ConfigError> errors) {
    YamlNode node = top.node(key);
    if (node == null) {
      return List.of();
    }
    if (node instanceof YamlNode.Sequence seq) {
      return seq.items();
    }
    errors.add(new ConfigError(node.mark(), key + " must be a list, got " + node.describe()));
    return List.of();
  }
}
