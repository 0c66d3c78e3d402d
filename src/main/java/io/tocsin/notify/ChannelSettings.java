package io.tocsin.notify;

import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.MappingReader;
import io.tocsin.yaml.Secret;
import io.tocsin.yaml.YamlNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of one channel declaration for the channel's own config class. Keys were checked
 * when the rule file was read; this adds each problem with a value as a positioned error,
 * naming the channel, and returns a default in its place.
 */
public final class ChannelSettings {
  private final ChannelDeclaration declaration;
  private final MappingReader reader;
  private final List<ConfigError> errors;
  /** Every secret read or derived here, for the {@link Redactor} of the channel's answers. */
  private final List<Secret> secrets = new ArrayList<>();

  public ChannelSettings(ChannelDeclaration declaration, List<ConfigError> errors) {
    this.declaration = declaration;
    // Unknown keys were reported with the declaration; allowing what is there avoids a second report.
    this.reader = MappingReader.of(declaration.settings(), "channel \"" + declaration.name() + "\"",
        declaration.settings().entries().keySet(), errors);
    this.errors = errors;
  }

  public String name() {
    return declaration.name();
  }

  public boolean has(String key) {
    return reader.has(key);
  }

  public String string(String key, String defaultValue) {
    return reader.string(key, defaultValue);
  }

  /** A value that must be there; an error naming the key when it is not. */
  public String required(String key, String example) {
    String value = reader.string(key, null);
    if (value == null || value.isBlank()) {
      errors.add(new ConfigError(declaration.mark(), "channel \"" + name() + "\" (" + declaration.type()
          + ") needs " + key + (example == null ? "" : ", e.g. " + example)));
      return "";
    }
    return value;
  }

  /**
   * A value never to be printed: tokens, passwords, and URLs that carry credentials. It is also
   * taken out of whatever the channel answers.
   */
  public Secret secret(String key) {
    return keepSecret(Secret.of(reader.string(key, "")));
  }

  /**
   * Marks a value the channel read otherwise (a URL, a header) or derived (an {@code
   * Authorization} header) as one to take out of whatever the channel answers; returns it.
   */
  public Secret keepSecret(Secret secret) {
    secrets.add(secret);
    return secret;
  }

  /** Takes every secret read or kept so far out of a text. */
  Redactor redactor() {
    return Redactor.of(secrets);
  }

  public int integer(String key, int defaultValue, int min) {
    return reader.integer(key, defaultValue, min);
  }

  public boolean bool(String key, boolean defaultValue) {
    return reader.bool(key, defaultValue);
  }

  public List<String> strings(String key) {
    return reader.strings(key, List.of());
  }

  /** A mapping of strings, such as extra HTTP headers. */
  public Map<String, String> stringMap(String key) {
    Map<String, String> result = new LinkedHashMap<>();
    YamlNode value = reader.node(key);
    if (value == null) {
      return result;
    }
    if (!(value instanceof YamlNode.Mapping mapping)) {
      reader.error(value, key + " of channel \"" + name() + "\" must be a mapping, got " + value.describe());
      return result;
    }
    for (YamlNode.Entry entry : mapping.entries().values()) {
      if (entry.value() instanceof YamlNode.Scalar s && !s.isNull()) {
        result.put(entry.key(), s.text());
      } else {
        reader.error(entry.value(), key + "." + entry.key() + " must be a single value, got " + entry.value().describe());
      }
    }
    return result;
  }

  /**
   * An http or https URL under {@code key}, or {@code defaultValue} when absent. The message
   * never shows the value: URLs such as Slack webhooks are credentials.
   */
  public URI url(String key, String defaultValue) {
    String text = reader.string(key, defaultValue);
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      URI uri = new URI(text.trim());
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    YamlNode node = reader.node(key);
    errors.add(new ConfigError(node == null ? declaration.mark() : node.mark(),
        key + " of channel \"" + name() + "\" must be an http:// or https:// URL"));
    return null;
  }

  /**
   * The message template under {@code key}, compiled for {@code format}, or null when there is
   * none; a template that does not compile is an error at the line it breaks on.
   */
  public MessageTemplate template(String key, TemplateFormat format) {
    YamlNode node = reader.node(key);
    if (node == null) {
      return null;
    }
    if (!(node instanceof YamlNode.Scalar scalar)) {
      reader.error(node, key + " of channel \"" + name() + "\" must be a template (text), got " + node.describe());
      return null;
    }
    try {
      return MessageTemplate.compile(scalar.text(), format);
    } catch (TemplateException e) {
      errors.add(new ConfigError(scalar.at(e.line(), 1), key + " of channel \"" + name() + "\": " + e.getMessage()));
      return null;
    }
  }

  /**
   * An incoming webhook's URL, the credential of chat services (Teams, Google Chat, Mattermost,
   * Discord): required, http(s), and a secret. {@code api_url} is refused next to it, as the
   * webhook URL is the whole endpoint. {@link Secret#NONE} (with an error added) when unusable.
   */
  public Secret webhookUrl(String example) {
    if (reader.has("api_url")) {
      error("api_url", "is not used by " + declaration.type() + " channels: webhook_url is the endpoint");
    }
    if (required("webhook_url", example).isBlank()) {
      return Secret.NONE;
    }
    URI url = url("webhook_url", null);
    return url == null ? Secret.NONE : keepSecret(Secret.of(url.toString()));
  }

  /** An error about the channel as a whole, at its declaration. */
  public void error(String message) {
    errors.add(new ConfigError(declaration.mark(), "channel \"" + name() + "\": " + message));
  }

  /** An error about one of its values, at that value. */
  public void error(String key, String message) {
    YamlNode node = reader.node(key);
    errors.add(new ConfigError(node == null ? declaration.mark() : node.mark(),
        key + " of channel \"" + name() + "\" " + message));
  }
}
