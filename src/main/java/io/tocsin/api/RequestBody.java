package io.tocsin.api;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.util.Set;

/**
 * Reads the body of every request that may carry one before its handler runs (Javalin keeps it
 * for {@link Context#bodyAsBytes}), so that a body that cannot be read, such as a chunked body
 * with a malformed or absurd chunk size, is a 400 for the client and not an error of a handler.
 * Remote write is left alone: it reads its body within the ingest limits and read timeout.
 */
final class RequestBody {
  private static final Set<HandlerType> WITH_BODY = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
      HandlerType.DELETE);

  static final String BAD_BODY = "cannot read the request body: its framing (chunk sizes, Content-Length) is "
      + "malformed or it ended early";

  private RequestBody() {}

  static void readFirst(Context ctx) {
    if (!WITH_BODY.contains(ctx.method()) || ctx.path().equals(ApiServer.REMOTE_WRITE)) {
      return;
    }
    try {
      ctx.bodyAsBytes();
    } catch (HttpResponseException e) {
      throw e; // Javalin's own answer, such as 413 for a body over its size limit
    } catch (Exception e) {
      ApiErrors.badRequest(ctx, BAD_BODY);
      ctx.skipRemainingHandlers();
    }
  }
}
