package io.tocsin.notify;

import io.tocsin.yaml.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Takes a channel's secrets out of what the channel answered, before the answer reaches the
 * history, the status page, a test-send response or the log: services often echo the request in
 * an error (its URL, its headers), and an echo carries the credentials. Besides each secret as
 * configured, it takes out the forms a request carries it in: percent- and JSON-encoded; for a
 * URL its path, query, query values, path segments that look like tokens and user info; for an {@code
 * Authorization} value its token, and for basic auth the base64 pair, the pair and the password.
 * Secrets shorter than {@link #MIN_LENGTH} characters are left alone: they would garble every
 * answer and protect nothing. Immutable.
 */
public final class Redactor {
  public static final String REDACTED = "<redacted>";
  static final int MIN_LENGTH = 4;
  /** A path segment this long (with a digit) is taken for a token: {@code /services/T000/B000/XXXXXXX1}. */
  private static final int TOKEN_SEGMENT = 8;
  public static final Redactor NONE = new Redactor(List.of());

  /** Longest first, so that a URL goes before its path. */
  private final List<String> forms;

  private Redactor(List<String> forms) {
    this.forms = forms;
  }

  public static Redactor of(Collection<Secret> secrets) {
    Set<String> forms = new LinkedHashSet<>();
    for (Secret secret : secrets) {
      addForms(secret.reveal(), forms);
    }
    List<String> sorted = new ArrayList<>(forms);
    sorted.removeIf(form -> form.length() < MIN_LENGTH);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new Redactor(List.copyOf(sorted));
  }

  /** The text with every form of every secret replaced by {@value #REDACTED}; null stays null. */
  public String redact(String text) {
    if (text == null || forms.isEmpty()) {
      return text;
    }
    String result = text;
    for (String form : forms) {
      result = result.replace(form, REDACTED);
    }
    return result.endsWith(Delivery.CUT) ? redactCutTail(result) : result;
  }

  /** A detail shortened to its first characters may end in the first part of a secret. */
  private String redactCutTail(String text) {
    String kept = text.substring(0, text.length() - Delivery.CUT.length());
    for (String form : forms) {
      for (int length = form.length() - 1; length >= MIN_LENGTH; length--) {
        if (kept.endsWith(form.substring(0, length))) {
          return kept.substring(0, kept.length() - length) + REDACTED + Delivery.CUT;
        }
      }
    }
    return text;
  }

  private static void addForms(String value, Set<String> forms) {
    if (value.length() < MIN_LENGTH || !forms.add(value)) {
      return;
    }
    String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
    forms.add(encoded);
    forms.add(encoded.replace("+", "%20"));
    forms.add(lowerHex(encoded));
    forms.add(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/"));
    forms.add(value.replace("\\", "\\\\").replace("\"", "\\\""));
    int space = value.indexOf(' ');
    String scheme = space < 0 ? "" : value.substring(0, space).toLowerCase(Locale.ROOT);
    if (scheme.equals("bearer")) {
      addForms(value.substring(space + 1).strip(), forms);
    } else if (scheme.equals("basic")) {
      String token = value.substring(space + 1).strip();
      addForms(token, forms);
      try {
        userInfo(new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8), forms);
      } catch (IllegalArgumentException e) {
        // not base64: only the value itself is known
      }
    } else if (value.startsWith("http://") || value.startsWith("https://")) {
      url(value, forms);
    }
  }

  private static void url(String value, Set<String> forms) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      return;
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String query = uri.getRawQuery();
    if (path.length() >= TOKEN_SEGMENT) {
      addForms(path, forms);
    }
    for (String segment : path.split("/")) {
      if (looksLikeToken(segment)) {
        addForms(segment, forms);
        addForms(decode(segment), forms);
      }
    }
    if (query != null) {
      addForms(path + "?" + query, forms);
      addForms(query, forms);
      for (String parameter : query.split("&")) {
        int equals = parameter.indexOf('=');
        String parameterValue = equals < 0 ? parameter : parameter.substring(equals + 1);
        addForms(parameterValue, forms);
        addForms(decode(parameterValue), forms);
      }
    }
    if (uri.getRawUserInfo() != null) {
      addForms(uri.getRawUserInfo(), forms);
      userInfo(decode(uri.getRawUserInfo()), forms);
      addForms(value.replace(uri.getRawUserInfo() + "@", ""), forms);
    }
  }

  /** Long with a digit ({@code T00000000}, {@code abc123def}), or very long: not a word such as {@code webhooks}. */
  private static boolean looksLikeToken(String segment) {
    return segment.length() >= TOKEN_SEGMENT && segment.chars().anyMatch(Character::isDigit)
        || segment.length() >= 3 * TOKEN_SEGMENT;
  }

  /** {@code user:password}: the pair, the password and the base64 pair that basic auth sends. */
  private static void userInfo(String pair, Set<String> forms) {
    addForms(pair, forms);
    addForms(Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)), forms);
    int colon = pair.indexOf(':');
    if (colon >= 0) {
      addForms(pair.substring(colon + 1), forms);
    }
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  private static String lowerHex(String encoded) {
    StringBuilder sb = new StringBuilder(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      boolean escape = i > 0 && encoded.charAt(i - 1) == '%' || i > 1 && encoded.charAt(i - 2) == '%';
      sb.append(escape ? Character.toLowerCase(c) : c);
    }
    return sb.toString();
  }
}
