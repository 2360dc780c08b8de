package io.selfstream.schemas.model;

/**
 * Why the {@link UpdateAssembler} refused a model-update chunk or version. The served model is
 * never changed by a rejected update.
 *
 * @param model model name of the update
 * @param version version the update claimed
 * @param chunkIndex chunk that triggered the rejection, -1 for a whole version
 * @param reason machine-readable reason (metrics label)
 * @param message human-readable detail for logs
 */
public record UpdateRejected(
    String model, long version, int chunkIndex, Reason reason, String message) {

  /** Rejection reasons; each has its own counter. */
  public enum Reason {
    /** A required header value is missing or out of range, or the payload does not decode. */
    MALFORMED,
    /** No signature. */
    UNSIGNED,
    /** Signed by a key that is not trusted. */
    WRONG_KEY,
    /** The key id is trusted but the signature does not verify: header or hash altered. */
    BAD_SIGNATURE,
    /** Assembled payload does not match the signed SHA-256: payload bytes altered. */
    TAMPERED,
    /**
     * Chunks missing (evicted as stale, superseded or over the memory bound), inconsistent chunk
     * headers, conflicting or surplus bytes.
     */
    TORN,
    /** A duplicate delivery: the version already held, or a chunk already received. */
    REPLAYED,
    /** Older than the version held. */
    OLDER,
    /** A DELTA whose parent is not the version held (a version was missed or came late). */
    OUT_OF_ORDER,
    /** Kind/format combination this consumer cannot decode. */
    UNSUPPORTED_FORMAT
  }

  @Override
  public String toString() {
    return model
        + " v"
        + version
        + (chunkIndex >= 0 ? " chunk " + chunkIndex : "")
        + " rejected "
        + reason
        + ": "
        + message;
  }
}
