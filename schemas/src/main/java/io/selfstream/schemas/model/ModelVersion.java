package io.selfstream.schemas.model;

import io.selfstream.schemas.avro.UpdateKind;
import java.time.Instant;
import java.util.Map;

/**
 * A verified model version as an {@link UpdateAssembler} hands it out: the full parameters (a DELTA
 * already applied to its parent) and the metadata of the update that produced it.
 *
 * @param model model name
 * @param version version number
 * @param parentVersion the parent the update named (0 = none)
 * @param kind FULL or DELTA: how this version arrived
 * @param format payload format of the update
 * @param parameters the complete parameters of this version
 * @param payloadSha256 hex SHA-256 of the update's payload
 * @param keyId id of the key that signed it
 * @param createdAt publish time the trainer stamped (informational, unsigned)
 * @param metrics training metrics the trainer attached (informational, unsigned)
 * @param payloadBytes size of the update's payload (what travelled)
 */
public record ModelVersion(
    String model,
    long version,
    long parentVersion,
    UpdateKind kind,
    String format,
    ModelParameters parameters,
    String payloadSha256,
    String keyId,
    Instant createdAt,
    Map<String, Double> metrics,
    long payloadBytes) {

  public ModelVersion {
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }
}
