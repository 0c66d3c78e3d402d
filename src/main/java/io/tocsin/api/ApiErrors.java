package io.tocsin.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;

/** Every error answer of the API: a status and {@code {"error": "..."}}, never a stack trace. */
final class ApiErrors {
  private ApiErrors() {}

  /** Marks a response whose error body a handler wrote, so the catch-all pages leave it alone. */
  static final String ANSWERED = "tocsin.error.answered";

  static void respond(Context ctx, HttpStatus status, String message) {
    ctx.attribute(ANSWERED, true);
    ctx.status(status).json(Map.of("error", message));
  }

  /** For the catch-all 404 and 405 pages: answers only when no handler did. */
  static void respondUnlessAnswered(Context ctx, HttpStatus status, String message) {
    if (ctx.attribute(ANSWERED) == null) {
      respond(ctx, status, message);
    }
  }

  static void badRequest(Context ctx, String message) {
    respond(ctx, HttpStatus.BAD_REQUEST, message);
  }
}
