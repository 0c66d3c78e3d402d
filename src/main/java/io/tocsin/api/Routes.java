package io.tocsin.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;

/**
 * Registers the server's endpoints with Javalin and remembers each (method, path), so that a test
 * can hold the OpenAPI document against the routes that really exist, in both directions.
 */
final class Routes {
  /** One endpoint; {@code path} in Javalin's (and OpenAPI's) form, e.g. {@code /api/v1/silences/{id}}. */
  record Route(String method, String path) {}

  private final RoutesConfig config;
  private final List<Route> added = new ArrayList<>();

  Routes(RoutesConfig config) {
    this.config = config;
  }

  void get(String path, Handler handler) {
    config.get(path, handler);
    added.add(new Route("GET", path));
  }

  void post(String path, Handler handler) {
    config.post(path, handler);
    added.add(new Route("POST", path));
  }

  void delete(String path, Handler handler) {
    config.delete(path, handler);
    added.add(new Route("DELETE", path));
  }

  List<Route> list() {
    return List.copyOf(added);
  }
}
