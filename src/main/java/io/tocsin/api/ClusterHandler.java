package io.tocsin.api;

import io.javalin.http.Context;
import io.tocsin.cluster.Cluster;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/cluster}: this member's view of the cluster. Without a {@code cluster:}
 * section the same keys answer {@code enabled: false}, no members and nulls, so that clients
 * need no second schema.
 */
final class ClusterHandler {
  private final Cluster cluster;

  /** @param cluster null when the server runs alone */
  ClusterHandler(Cluster cluster) {
    this.cluster = cluster;
  }

  void get(Context ctx) {
    ctx.json(body());
  }

  Map<String, Object> body() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("enabled", cluster != null);
    body.put("name", cluster == null ? null : cluster.name());
    body.put("self", cluster == null ? null : cluster.self());
    List<String> members = cluster == null ? List.of() : cluster.members();
    body.put("position", cluster == null ? null : members.indexOf(cluster.self()));
    body.put("members", members);
    body.put("view_id", cluster == null ? null : cluster.viewId());
    body.put("encrypted", cluster != null && !cluster.settings().secret().isEmpty());
    return body;
  }

  /** The status page's cluster line, or null without a cluster. */
  Map<String, Object> statusLine() {
    if (cluster == null) {
      return null;
    }
    List<String> members = cluster.members();
    return Map.of("name", cluster.name(), "size", members.size(), "self", cluster.self(),
        "position", members.indexOf(cluster.self()));
  }
}
