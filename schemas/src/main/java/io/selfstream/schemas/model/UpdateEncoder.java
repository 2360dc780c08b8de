package io.selfstream.schemas.model;

import io.selfstream.schemas.avro.ModelUpdate;
import io.selfstream.schemas.avro.UpdateKind;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Publisher side of the model-update codec: turns one model version into signed {@link ModelUpdate}
 * chunks for the {@code model-updates} topic. Every chunk carries the same header, the SHA-256 of
 * the assembled payload and an Ed25519 signature over the header and hash (see {@link
 * UpdateSignature}); each carries at most {@link #maxChunkBytes()} payload bytes, so a record stays
 * under the broker's message limit (1 MiB by default: {@code message.max.bytes}, {@code
 * max.request.size}). Send the chunks in order, keyed by model name, with an idempotent or
 * transactional producer; the trainer owns versions and parents.
 */
public final class UpdateEncoder {

  /** Default payload bytes per chunk: leaves ample room under a 1 MiB record limit. */
  public static final int DEFAULT_MAX_CHUNK_BYTES = 512 * 1024;

  /** Largest allowed chunk: keep in line with the broker's and producer's record limits. */
  public static final int MAX_CHUNK_BYTES_LIMIT = 16 * 1024 * 1024;

  private final KeyPair keys;
  private final String keyId;
  private final int maxChunkBytes;
  private final Clock clock;

  public UpdateEncoder(KeyPair keys) {
    this(keys, DEFAULT_MAX_CHUNK_BYTES, Clock.systemUTC());
  }

  public UpdateEncoder(KeyPair keys, int maxChunkBytes) {
    this(keys, maxChunkBytes, Clock.systemUTC());
  }

  public UpdateEncoder(KeyPair keys, int maxChunkBytes, Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    if (!SigningKeys.ALGORITHM.equalsIgnoreCase(keys.getPrivate().getAlgorithm())
        && !"EdDSA".equalsIgnoreCase(keys.getPrivate().getAlgorithm())) {
      throw new IllegalArgumentException(
          "model updates are signed with Ed25519, got a "
              + keys.getPrivate().getAlgorithm()
              + " key");
    }
    if (maxChunkBytes < 1 || maxChunkBytes > MAX_CHUNK_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "maxChunkBytes must be in [1, " + MAX_CHUNK_BYTES_LIMIT + "], got " + maxChunkBytes);
    }
    this.keyId = SigningKeys.keyId(keys.getPublic());
    this.maxChunkBytes = maxChunkBytes;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public String keyId() {
    return keyId;
  }

  public int maxChunkBytes() {
    return maxChunkBytes;
  }

  /** A FULL update carrying {@code parameters} as a {@value ModelParameters#FORMAT} payload. */
  public List<ModelUpdate> encodeFull(
      String model,
      long version,
      long parentVersion,
      ModelParameters parameters,
      Map<String, Double> metrics) {
    return encode(
        model,
        version,
        parentVersion,
        UpdateKind.FULL,
        ModelParameters.FORMAT,
        parameters.toBytes(),
        metrics);
  }

  /**
   * A DELTA update carrying a {@value TernaryDelta#FORMAT} payload ({@link
   * TernaryDelta.Encoded#payload()}) that applies to {@code parentVersion}.
   */
  public List<ModelUpdate> encodeDelta(
      String model,
      long version,
      long parentVersion,
      byte[] ternaryPayload,
      Map<String, Double> metrics) {
    if (parentVersion < 1) {
      throw new IllegalArgumentException("a DELTA needs a parent version >= 1");
    }
    return encode(
        model,
        version,
        parentVersion,
        UpdateKind.DELTA,
        TernaryDelta.FORMAT,
        ternaryPayload,
        metrics);
  }

  /** Chunks, hashes and signs any payload. */
  public List<ModelUpdate> encode(
      String model,
      long version,
      long parentVersion,
      UpdateKind kind,
      String format,
      byte[] payload,
      Map<String, Double> metrics) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    if (version < 1 || parentVersion < 0 || parentVersion >= version) {
      throw new IllegalArgumentException(
          "need version >= 1 and 0 <= parentVersion < version, got version "
              + version
              + " parent "
              + parentVersion);
    }
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(payload, "payload");
    int chunkCount = Math.max(1, (payload.length + maxChunkBytes - 1) / maxChunkBytes);
    byte[] hash = UpdateSignature.sha256(payload);
    byte[] signature =
        UpdateSignature.sign(
            keys.getPrivate(),
            UpdateSignature.message(
                model, version, parentVersion, kind, chunkCount, payload.length, format, hash));
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Map<String, Double> metricsCopy = metrics == null ? Map.of() : new LinkedHashMap<>(metrics);
    List<ModelUpdate> chunks = new ArrayList<>(chunkCount);
    for (int i = 0; i < chunkCount; i++) {
      int from = i * maxChunkBytes;
      int to = Math.min(payload.length, from + maxChunkBytes);
      chunks.add(
          ModelUpdate.newBuilder()
              .setModel(model)
              .setVersion(version)
              .setParentVersion(parentVersion)
              .setKind(kind)
              .setChunkIndex(i)
              .setChunkCount(chunkCount)
              .setPayload(ByteBuffer.wrap(Arrays.copyOfRange(payload, from, to)))
              .setPayloadSize(payload.length)
              .setPayloadSha256(ByteBuffer.wrap(hash.clone()))
              .setSignature(ByteBuffer.wrap(signature.clone()))
              .setKeyId(keyId)
              .setFormat(format)
              .setCreatedAtMs(now)
              .setMetrics(new LinkedHashMap<>(metricsCopy))
              .build());
    }
    return chunks;
  }
}
