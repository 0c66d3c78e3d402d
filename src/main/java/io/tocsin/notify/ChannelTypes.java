package io.tocsin.notify;

import io.tocsin.yaml.ConfigError;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The channel types a Tocsin knows, by name: it checks declarations against them and turns
 * declarations into channels. The list itself is {@code io.tocsin.channels.Channels}, above this
 * package, so that {@code notify} does not depend on its own integrations.
 */
public final class ChannelTypes {
  private final Map<String, ChannelType<?>> byName = new LinkedHashMap<>();

  public ChannelTypes(List<ChannelType<?>> types) {
    for (ChannelType<?> type : types) {
      if (byName.putIfAbsent(type.name(), type) != null) {
        throw new IllegalArgumentException("two channel types named " + type.name());
      }
    }
  }

  /** The keys each type takes besides the common ones, for checking declarations as they are read. */
  public Map<String, Set<String>> keysByType() {
    Map<String, Set<String>> keys = new LinkedHashMap<>();
    byName.forEach((name, type) -> keys.put(name, type.keys()));
    return Collections.unmodifiableMap(keys);
  }

  /** Checks a declaration's values (for {@code tocsin check} and reloads), adding positioned errors. */
  public void check(ChannelDeclaration declaration, List<ConfigError> errors) {
    parse(new ChannelSettings(declaration, errors));
  }

  /** Builds the channel; null, with errors added, when its settings are unusable. */
  Channel create(ChannelDeclaration declaration, NotifierContext context, List<ConfigError> errors) {
    int before = errors.size();
    ChannelSettings settings = new ChannelSettings(declaration, errors);
    boolean sendResolved = settings.bool("send_resolved", true);
    Function<NotifierContext, Notifier> notifierFor = parse(settings);
    if (errors.size() > before) {
      return null;
    }
    Notifier notifier;
    try {
      notifier = notifierFor.apply(context);
    } catch (IllegalArgumentException e) {
      settings.error(e.getMessage());
      return null;
    }
    return new Channel(declaration, sendResolved, notifier, settings.redactor());
  }

  private Function<NotifierContext, Notifier> parse(ChannelSettings settings) {
    settings.bool("send_resolved", true);
    String name = settings.string("type", "log");
    ChannelType<?> type = byName.get(name);
    if (type == null) {
      // Declarations are checked against these types as they are read; this is a wiring mistake.
      settings.error("unknown channel type \"" + name + "\"");
      return null;
    }
    return type.read(settings);
  }
}
