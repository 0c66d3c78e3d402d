package io.tocsin.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.tocsin.config.ServerConfig;
import org.eclipse.jetty.server.HttpConfiguration;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Bearer-token checks, before every handler: with {@code api.token} set, requests that change
 * something need {@code Authorization: Bearer <token>}; with {@code api.protect_reads}, reads do
 * too. The health probes stay open, since orchestrators call them without credentials.
 */
final class ApiAuth {
  private static final Set<HandlerType> READS = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);
  private static final Set<String> PROBES = Set.of("/-/healthy", "/-/ready");
  /** POSTed only because a query does not fit in a URL; it changes nothing. */
  private static final String QUERY = "/api/v1/query";

  private static final String SCHEME = "Bearer ";

  private final byte[] expected;
  private final boolean protectReads;

  ApiAuth(ServerConfig.Api api) {
    this.expected = api.token().isEmpty() ? null : api.token().reveal().getBytes(StandardCharsets.UTF_8);
    this.protectReads = api.protectReads();
  }

  /**
   * Jetty keeps a per-connection cache of header fields it has seen and, by default, looks them
   * up ignoring case: a later {@code authorization: bearer S3CRET} would come back as the cached
   * {@code Bearer s3cret}. The cache must compare exactly, so that {@link #check} sees raw values.
   */
  static void exactHeaders(HttpConfiguration http) {
    http.setHeaderCacheCaseSensitive(true);
  }

  void check(Context ctx) {
    if (expected == null || PROBES.contains(ctx.path())) {
      return;
    }
    boolean read = READS.contains(ctx.method()) || ctx.path().equals(QUERY);
    if (read && !protectReads) {
      return;
    }
    String given = ctx.header("Authorization");
    if (given != null && matches(given)) {
      return;
    }
    ctx.header("WWW-Authenticate", "Bearer realm=\"tocsin\"");
    ApiErrors.respond(ctx, HttpStatus.UNAUTHORIZED, given == null
        ? "this endpoint needs Authorization: Bearer <api.token>"
        : "the bearer token is not the configured api.token");
    ctx.skipRemainingHandlers();
  }

  /** The scheme in any case (RFC 9110 11.1), then exactly the token. */
  private boolean matches(String authorization) {
    if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return false;
    }
    byte[] token = authorization.substring(SCHEME.length()).getBytes(StandardCharsets.UTF_8);
    // Constant time, so that response timing does not reveal how much of a guess was right.
    return MessageDigest.isEqual(expected, token);
  }
}
