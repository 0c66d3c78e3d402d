package io.tocsin.ingest;

import java.util.Map;

/**
 * What became of one export request's data points.
 *
 * @param message empty when nothing was rejected; otherwise says how many points were rejected
 *     for which reasons, naming the first metric of each, for OTLP's partial success
 */
public record IngestResult(int accepted, int rejected, Map<RejectReason, Integer> rejectedByReason, String message) {
  public int received() {
    return accepted + rejected;
  }
}
