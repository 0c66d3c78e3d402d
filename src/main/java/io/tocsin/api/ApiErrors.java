package io.tocsin.api;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;

/** Every error answer of the API: a status and {@code {"error": "..."}}, never a stack trace. */
final class ApiErrors {
  private ApiErrors() {}

  static void respond(Context ctx, HttpStatus status, String message) {
    ctx.status(status).json(Map.of("error", message));
  }

  static void badRequest(Context ctx, String message) {
    respond(ctx, HttpStatus.BAD_REQUEST, message);
  }
}
