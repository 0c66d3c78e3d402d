package io.tocsin.notify;

import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One kind of channel, as its own package defines it next to its notifier: the type's name in
 * rule files, the keys a declaration of it may have (besides {@link ChannelDeclaration#COMMON}),
 * how its settings are read (every problem a positioned error) and how its notifier is made.
 * {@code io.tocsin.channels.Channels} lists every type; nothing else names them.
 *
 * @param <C> the channel's settings as its {@code parse} returns them
 * @param create makes the notifier; may throw {@link IllegalArgumentException} for settings that
 *     only fail when used (such as an unusable sender address), which becomes a config error
 */
public record ChannelType<C>(String name, Set<String> keys, Function<ChannelSettings, C> parse,
    BiFunction<C, NotifierContext, Notifier> create) {

  public ChannelType {
    keys = Set.copyOf(keys);
  }

  /** Reads the settings; the function returned makes the notifier from what was read. */
  Function<NotifierContext, Notifier> read(ChannelSettings settings) {
    C config = parse.apply(settings);
    return context -> create.apply(config, context);
  }
}
