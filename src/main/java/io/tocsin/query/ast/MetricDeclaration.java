package io.tocsin.query.ast;

/** {@code redis.keyspace.hits as $hits}: the metric's normalised name and its alias (with the $). */
public record MetricDeclaration(String metric, String alias, Position position) {}
